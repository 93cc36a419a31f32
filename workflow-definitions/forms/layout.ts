// A service catalogue form as admins design it: its fields, in order, with their labels in both languages and the rule
// that shows a field only when an earlier choice has a given value. Pure: the API and the console share it.

export const FORM_FIELD_KINDS = ['text', 'longText', 'number', 'date', 'choice', 'multiChoice', 'user', 'asset', 'attachment'] as const;
export type FormFieldKind = (typeof FORM_FIELD_KINDS)[number];

/** Kinds whose answer is one of the field's options: the only ones another field's visibility may depend on. */
export const CHOICE_KINDS: ReadonlySet<FormFieldKind> = new Set(['choice', 'multiChoice']);

export interface Localised {
  en: string;
  fr: string;
}

export interface FormOption {
  value: string;
  label: Localised;
}

export interface FormField {
  /** The answer's key: stable across versions so reports and integrations can read it. */
  name: string;
  kind: FormFieldKind;
  label: Localised;
  help?: Partial<Localised>;
  required?: boolean;
  /** choice and multiChoice. */
  options?: FormOption[];
  /** number. */
  min?: number;
  max?: number;
  /** text and longText. */
  maxLength?: number;
  /** text: a regular expression (JavaScript, unicode) the whole answer must match. */
  pattern?: string;
  /** asset: the category of the assets offered (required: requesters see their names). */
  assetCategory?: string;
  /** Shown (and then possibly required) only while an earlier choice field has one of these values. */
  showWhen?: { field: string; equals: string[] };
}

export interface FormLayout {
  fields: FormField[];
}

export const MAX_FORM_FIELDS = 50;
export const MAX_ATTACHMENTS_PER_FIELD = 10;
/** Longest text answer when the field sets no limit. */
export const DEFAULT_TEXT_LENGTH = 500;
export const LONG_TEXT_LENGTH = 10_000;

const localised = (max: number) =>
  ({
    type: 'object',
    required: ['en', 'fr'],
    additionalProperties: false,
    properties: { en: { type: 'string', minLength: 1, maxLength: max, pattern: '\\S' }, fr: { type: 'string', minLength: 1, maxLength: max, pattern: '\\S' } },
  }) as const;

export const localisedText = localised(200);

/** The shape of a layout (the API validates bodies with it); the rules between fields are in `layoutErrors`. */
export const formLayoutSchema = {
  title: 'CatalogueForm',
  type: 'object',
  required: ['fields'],
  additionalProperties: false,
  properties: {
    fields: {
      type: 'array',
      minItems: 1,
      maxItems: MAX_FORM_FIELDS,
      items: {
        title: 'CatalogueFormField',
        type: 'object',
        required: ['name', 'kind', 'label'],
        additionalProperties: false,
        properties: {
          name: { type: 'string', pattern: '^[a-z][a-zA-Z0-9_]{0,62}$', description: 'The answer key: a letter, then letters, digits or _' },
          kind: { title: 'CatalogueFieldKind', type: 'string', enum: [...FORM_FIELD_KINDS] },
          label: localisedText,
          help: { type: 'object', additionalProperties: false, properties: { en: { type: 'string', maxLength: 500 }, fr: { type: 'string', maxLength: 500 } } },
          required: { type: 'boolean' },
          options: {
            type: 'array',
            maxItems: 100,
            items: {
              type: 'object',
              required: ['value', 'label'],
              additionalProperties: false,
              properties: { value: { type: 'string', minLength: 1, maxLength: 100, pattern: '\\S' }, label: localisedText },
            },
          },
          min: { type: 'number' },
          max: { type: 'number' },
          maxLength: { type: 'integer', minimum: 1, maximum: LONG_TEXT_LENGTH },
          pattern: { type: 'string', minLength: 1, maxLength: 500 },
          assetCategory: { type: 'string', minLength: 1, maxLength: 100 },
          showWhen: {
            type: 'object',
            required: ['field', 'equals'],
            additionalProperties: false,
            properties: { field: { type: 'string', maxLength: 63 }, equals: { type: 'array', minItems: 1, maxItems: 100, items: { type: 'string', maxLength: 100 } } },
          },
        },
      },
    },
  },
} as const;

export interface FormLayoutError {
  /** JSON pointer into the layout, e.g. /fields/2/showWhen/field. */
  pointer: string;
  message: string;
}

/** What the layout schema cannot say: names unique, options where needed, conditions on earlier choices only. */
export function layoutErrors(layout: FormLayout): FormLayoutError[] {
  const errors: FormLayoutError[] = [];
  const seen = new Map<string, FormField>();
  layout.fields.forEach((field, i) => {
    const at = (rest: string) => `/fields/${i}${rest}`;
    if (seen.has(field.name)) errors.push({ pointer: at('/name'), message: `the name '${field.name}' is used twice` });
    const hasOptions = CHOICE_KINDS.has(field.kind);
    if (hasOptions && !field.options?.length) errors.push({ pointer: at('/options'), message: `a ${field.kind} field needs at least one option` });
    if (!hasOptions && field.options?.length) errors.push({ pointer: at('/options'), message: `a ${field.kind} field has no options` });
    const values = new Set<string>();
    field.options?.forEach((o, j) => {
      if (values.has(o.value)) errors.push({ pointer: at(`/options/${j}/value`), message: `the option '${o.value}' is listed twice` });
      values.add(o.value);
    });
    if ((field.min !== undefined || field.max !== undefined) && field.kind !== 'number') errors.push({ pointer: at(field.min !== undefined ? '/min' : '/max'), message: 'only a number field has bounds' });
    if (field.min !== undefined && field.max !== undefined && field.min > field.max) errors.push({ pointer: at('/max'), message: `the maximum ${field.max} is below the minimum ${field.min}` });
    if ((field.maxLength !== undefined || field.pattern !== undefined) && field.kind !== 'text' && field.kind !== 'longText') {
      errors.push({ pointer: at(field.pattern !== undefined ? '/pattern' : '/maxLength'), message: 'only a text field has a length or a pattern' });
    }
    if (field.pattern !== undefined && field.kind === 'text') {
      try {
        new RegExp(field.pattern, 'u');
      } catch (err) {
        errors.push({ pointer: at('/pattern'), message: `not a valid regular expression: ${(err as Error).message}` });
      }
    }
    if (field.assetCategory !== undefined && field.kind !== 'asset') errors.push({ pointer: at('/assetCategory'), message: 'only an asset field has a category' });
    // Requesters see the names of the assets a picker offers: never the whole inventory, only the category it names.
    if (field.kind === 'asset' && !field.assetCategory) errors.push({ pointer: at('/assetCategory'), message: 'an asset field names the category of assets it offers' });
    if (field.showWhen) {
      const target = seen.get(field.showWhen.field);
      if (!target) {
        errors.push({ pointer: at('/showWhen/field'), message: `'${field.showWhen.field}' is not a field above this one` });
      } else if (!CHOICE_KINDS.has(target.kind)) {
        errors.push({ pointer: at('/showWhen/field'), message: `'${target.name}' is not a choice field` });
      } else {
        const options = new Set(target.options?.map((o) => o.value));
        field.showWhen.equals.forEach((v, j) => {
          if (!options.has(v)) errors.push({ pointer: at(`/showWhen/equals/${j}`), message: `'${v}' is not an option of '${target.name}'` });
        });
      }
    }
    seen.set(field.name, field);
  });
  return errors;
}
