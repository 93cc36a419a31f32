// A form's answers: the JSON Schema they are checked against (compiled by ajv on the server, and served to the browser as
// the same compiled code), how they are tidied before the check, and how ajv's errors name the field at fault.
import {
  DEFAULT_TEXT_LENGTH,
  LONG_TEXT_LENGTH,
  MAX_ATTACHMENTS_PER_FIELD,
  type FormField,
  type FormLayout,
} from './layout';

export type AnswerValue = string | number | string[];
export type Answers = Record<string, AnswerValue>;

/** Options every form schema is compiled with, on the server and for the browser's module. */
export const FORM_AJV_OPTIONS = { allErrors: true, strict: false, coerceTypes: false, useDefaults: false } as const;

const DATE = '^\\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\\d|3[01])$';
const UUID = '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$';

function propertySchema(field: FormField): Record<string, unknown> {
  const values = field.options?.map((o) => o.value) ?? [];
  switch (field.kind) {
    case 'text':
      return { type: 'string', maxLength: field.maxLength ?? DEFAULT_TEXT_LENGTH, ...(field.pattern ? { pattern: field.pattern } : {}) };
    case 'longText':
      return { type: 'string', maxLength: field.maxLength ?? LONG_TEXT_LENGTH };
    case 'number':
      return { type: 'number', ...(field.min !== undefined ? { minimum: field.min } : {}), ...(field.max !== undefined ? { maximum: field.max } : {}) };
    case 'date':
      return { type: 'string', pattern: DATE };
    case 'choice':
      return { type: 'string', enum: values };
    case 'multiChoice':
      return { type: 'array', items: { type: 'string', enum: values }, uniqueItems: true, maxItems: values.length };
    case 'user':
    case 'asset':
      return { type: 'string', pattern: UUID };
    case 'attachment':
      return { type: 'array', items: { type: 'string', minLength: 1, maxLength: 255 }, maxItems: MAX_ATTACHMENTS_PER_FIELD };
  }
}

/** The condition under which a field is shown, as a JSON Schema over the (tidied) answers. */
function shownWhen(field: FormField, layout: FormLayout): Record<string, unknown> {
  const { field: on, equals } = field.showWhen!;
  const target = layout.fields.find((f) => f.name === on);
  const test = target?.kind === 'multiChoice' ? { contains: { enum: equals } } : { enum: equals };
  return { required: [on], properties: { [on]: test } };
}

/** The JSON Schema a form's answers must meet. Hidden fields are removed before the check, so an answer to one is never kept. */
export function answersSchema(layout: FormLayout): Record<string, unknown> {
  const properties = Object.fromEntries(layout.fields.map((f) => [f.name, propertySchema(f)]));
  const required = layout.fields.filter((f) => f.required && !f.showWhen).map((f) => f.name);
  const conditional = layout.fields.filter((f) => f.required && f.showWhen).map((f) => ({ if: shownWhen(f, layout), then: { required: [f.name] } }));
  return {
    type: 'object',
    additionalProperties: false,
    properties,
    ...(required.length ? { required } : {}),
    ...(conditional.length ? { allOf: conditional } : {}),
  };
}

const isShownBy = (field: FormField, answers: Answers): boolean => {
  const value = answers[field.showWhen!.field];
  const equals = field.showWhen!.equals;
  return Array.isArray(value) ? value.some((v) => equals.includes(v)) : typeof value === 'string' && equals.includes(value);
};

/**
 * The answers as they are checked and kept: text trimmed, empty answers dropped, and answers to fields that are hidden
 * (their condition is not met, or the field they depend on is itself hidden) dropped. Unknown names are kept so the
 * schema refuses them by name.
 */
export function tidyAnswers(layout: FormLayout, raw: Record<string, unknown>): Record<string, unknown> {
  const known = new Set(layout.fields.map((f) => f.name));
  // No prototype: an answer named __proto__ stays an answer (and is refused by name) instead of becoming one.
  const out: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  for (const [name, value] of Object.entries(raw)) {
    if (known.has(name)) continue;
    out[name] = value;
  }
  // Fields only depend on fields above them, so one pass in order settles every chain.
  for (const field of layout.fields) {
    if (field.showWhen && !isShownBy(field, out as Answers)) continue;
    let value = raw[field.name];
    if (typeof value === 'string') value = value.trim();
    if (value === undefined || value === null || value === '' || (Array.isArray(value) && value.length === 0)) continue;
    out[field.name] = value;
  }
  return out;
}

/** The fields the form shows for these answers, in order. */
export function visibleFields(layout: FormLayout, answers: Record<string, unknown>): FormField[] {
  const shown = new Set<string>();
  const tidied = tidyAnswers(layout, answers) as Answers;
  return layout.fields.filter((f) => {
    const visible = !f.showWhen || (shown.has(f.showWhen.field) && isShownBy(f, tidied));
    if (visible) shown.add(f.name);
    return visible;
  });
}

export type AnswerErrorCode = 'required' | 'unknown' | 'tooLong' | 'pattern' | 'tooSmall' | 'tooLarge' | 'notAnOption' | 'invalid';

export interface AnswerError {
  /** The field's name (or the unknown name the answers carried). */
  field: string;
  code: AnswerErrorCode;
  message: string;
}

/** ajv's error objects, as much of them as this module reads. */
export interface SchemaError {
  keyword: string;
  instancePath: string;
  params: Record<string, unknown>;
  message?: string;
}

const MESSAGES: Record<AnswerErrorCode, string> = {
  required: 'is required',
  unknown: 'is not a field of this form',
  tooLong: 'is too long',
  pattern: 'does not have the expected form',
  tooSmall: 'is below the minimum',
  tooLarge: 'is above the maximum',
  notAnOption: 'is not one of the options',
  invalid: 'is not a valid answer',
};

/** One error per field (the first ajv names), in the form's order; `if` errors are the `then` restated and left out. */
export function answerErrors(layout: FormLayout, errors: readonly SchemaError[]): AnswerError[] {
  const byField = new Map<string, AnswerErrorCode>();
  for (const e of errors) {
    if (e.keyword === 'if') continue;
    const [, top] = e.instancePath.split('/');
    let field = top ? top.replace(/~1/g, '/').replace(/~0/g, '~') : '';
    let code: AnswerErrorCode;
    if (e.keyword === 'required') {
      field = String(e.params.missingProperty);
      code = 'required';
    } else if (e.keyword === 'additionalProperties') {
      field = String(e.params.additionalProperty);
      code = 'unknown';
    } else if (e.keyword === 'maxLength' || e.keyword === 'maxItems') code = 'tooLong';
    else if (e.keyword === 'pattern') code = layout.fields.find((f) => f.name === field)?.kind === 'text' ? 'pattern' : 'invalid';
    else if (e.keyword === 'minimum') code = 'tooSmall';
    else if (e.keyword === 'maximum') code = 'tooLarge';
    else if (e.keyword === 'enum') code = 'notAnOption';
    else code = 'invalid';
    if (!byField.has(field)) byField.set(field, code);
  }
  const order = new Map(layout.fields.map((f, i) => [f.name, i]));
  return [...byField]
    .sort(([a], [b]) => (order.get(a) ?? Infinity) - (order.get(b) ?? Infinity))
    .map(([field, code]) => ({ field, code, message: `${field} ${MESSAGES[code]}` }));
}

/** True for kinds whose answer is a list. */
export const isListKind = (field: FormField): boolean => field.kind === 'multiChoice' || field.kind === 'attachment';
