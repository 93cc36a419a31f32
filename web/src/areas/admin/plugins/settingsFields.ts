// Reads a plug-in's settings schema into the inputs its form shows: one per top-level property, in the schema's order.

export type SettingKind = 'text' | 'longtext' | 'secret' | 'choice' | 'integer' | 'number' | 'switch' | 'json';

export interface SettingField {
  key: string;
  label: string;
  hint: string | null;
  kind: SettingKind;
  required: boolean;
  /** A choice's value and what the form shows for it (the schema's `x-enumLabels`, else the value). */
  choices: { value: string; label: string }[];
  min: number | null;
  max: number | null;
  maxLength: number | null;
  /** The schema's default: shown while nothing is saved, so the form says what the plug-in will use. */
  fallback: unknown;
}

interface PropertySchema {
  type?: string | string[];
  title?: string;
  description?: string;
  enum?: unknown[];
  writeOnly?: boolean;
  minimum?: number;
  maximum?: number;
  maxLength?: number;
  default?: unknown;
  /** The label and help in French (the plug-in API's convention). */
  'x-fr'?: { title?: string; description?: string };
  /** What each choice is called, per language: { "tls": { "en": "TLS from the start", "fr": "TLS dès le début" } }. */
  'x-enumLabels'?: Record<string, { en?: string; fr?: string }>;
}

function kindOf(p: PropertySchema): SettingKind {
  const type = Array.isArray(p.type) ? p.type.find((t) => t !== 'null') : p.type;
  if (Array.isArray(p.enum) && p.enum.every((v) => typeof v === 'string')) return 'choice';
  // A string allowed to be long (a query, a template) gets room to be read whole.
  if (type === 'string') return p.writeOnly ? 'secret' : (p.maxLength ?? 0) > 300 ? 'longtext' : 'text';
  if (type === 'integer') return 'integer';
  if (type === 'number') return 'number';
  if (type === 'boolean') return 'switch';
  // Objects, arrays and untyped values are edited as JSON; the API checks them against the schema.
  return 'json';
}

export function settingFields(schema: Record<string, unknown> | null | undefined, locale = 'en'): SettingField[] {
  const properties = (schema?.properties ?? {}) as Record<string, PropertySchema>;
  const required = new Set(Array.isArray(schema?.required) ? (schema.required as string[]) : []);
  return Object.entries(properties).map(([key, p]) => ({
    key,
    label: (locale === 'fr' ? p['x-fr']?.title : undefined) ?? p.title ?? key,
    hint: (locale === 'fr' ? p['x-fr']?.description : undefined) ?? p.description ?? null,
    kind: kindOf(p),
    required: required.has(key),
    choices: Array.isArray(p.enum) ? (p.enum as string[]).map((value) => ({ value, label: p['x-enumLabels']?.[value]?.[locale === 'fr' ? 'fr' : 'en'] ?? value })) : [],
    min: typeof p.minimum === 'number' ? p.minimum : null,
    max: typeof p.maximum === 'number' ? p.maximum : null,
    maxLength: typeof p.maxLength === 'number' ? p.maxLength : null,
    fallback: p.default ?? null,
  }));
}
