// One ajv instance validates every request body and query against the route's JSON Schema; failures name each field by JSON pointer.
import Ajv2020, { type ErrorObject } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { badRequest, type FieldError } from './problem';

export const ajv = new Ajv2020({ allErrors: true, strict: false, coerceTypes: false, useDefaults: true, discriminator: true });
addFormats(ajv);

const cache = new WeakMap<object, ReturnType<typeof ajv.compile>>();

function toFieldErrors(errors: ErrorObject[], root: string): FieldError[] {
  return errors.map((e) => {
    const base = `${root}${e.instancePath}`;
    if (e.keyword === 'required') {
      const missing = (e.params as { missingProperty: string }).missingProperty;
      return { pointer: `${base}/${missing}`, message: `${missing} is required` };
    }
    if (e.keyword === 'additionalProperties') {
      const extra = (e.params as { additionalProperty: string }).additionalProperty;
      return { pointer: `${base}/${extra}`, message: `unknown property '${extra}'` };
    }
    const field = e.instancePath.split('/').pop() || root.replace('/', '') || 'value';
    return { pointer: base || '/', message: `${field} ${e.message ?? 'is invalid'}` };
  });
}

/** PostgreSQL text cannot hold NUL characters: find them anywhere in the input so they are refused up front. */
function nulPointers(value: unknown, pointer: string, out: string[]): string[] {
  if (typeof value === 'string') {
    if (value.includes('\u0000')) out.push(pointer || '/');
  } else if (Array.isArray(value)) value.forEach((v, i) => nulPointers(v, `${pointer}/${i}`, out));
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k.includes('\u0000')) out.push(pointer || '/');
      nulPointers(v, `${pointer}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`, out);
    }
  }
  return out;
}

/** Deeper than any shape the desk accepts; checked without recursion, before anything walks the value recursively. */
export const MAX_JSON_DEPTH = 64;

function deeperThan(value: unknown, max: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length) {
    const [v, depth] = stack.pop()!;
    if (!v || typeof v !== 'object') continue;
    if (depth >= max) return true;
    for (const child of Array.isArray(v) ? v : Object.values(v)) if (child && typeof child === 'object') stack.push([child, depth + 1]);
  }
  return false;
}

/** Returns the value typed by its schema, or throws a 400 problem naming every bad field. */
export function check<T>(schema: object, value: unknown, where: 'body' | 'query'): T {
  if (deeperThan(value, MAX_JSON_DEPTH)) throw badRequest(`invalid ${where}: nested deeper than ${MAX_JSON_DEPTH} levels`, [], 'too-deep');
  const nul = nulPointers(value, where === 'query' ? '/query' : '', []);
  if (nul.length) {
    throw badRequest(`invalid ${where}: NUL characters are not allowed`, nul.map((pointer) => ({ pointer, message: 'contains a NUL character' })), 'invalid-request');
  }
  let validate = cache.get(schema);
  if (!validate) {
    validate = ajv.compile(schema);
    cache.set(schema, validate);
  }
  if (!validate(value)) {
    const errors = toFieldErrors(validate.errors ?? [], where === 'query' ? '/query' : '');
    throw badRequest(`invalid ${where}: ${errors.map((e) => e.message).join('; ')}`, errors, 'invalid-request');
  }
  return value as T;
}
