// One JSON Schema checker for what plug-ins declare (manifests, settings): draft 2020-12 with formats, every error listed.
import Ajv2020, { type ErrorObject, type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';

const ajv = new Ajv2020({ allErrors: true, strict: false });
addFormats(ajv);

export interface SchemaProblem {
  /** JSON pointer into the checked value ('' for the whole of it). */
  pointer: string;
  message: string;
}

/** Compiles a schema a plug-in declared; throws with ajv's reason when the schema itself is broken. */
export const compileSchema = (schema: object): ValidateFunction => ajv.compile(schema);

export function problemsOf(errors: readonly ErrorObject[] | null | undefined): SchemaProblem[] {
  return (errors ?? []).map((e) => {
    const missing = e.keyword === 'required' ? `/${(e.params as { missingProperty: string }).missingProperty}` : '';
    const extra = e.keyword === 'additionalProperties' ? `/${(e.params as { additionalProperty: string }).additionalProperty}` : '';
    return { pointer: `${e.instancePath}${missing}${extra}`, message: e.keyword === 'required' ? 'is required' : extra ? 'is not a known setting' : (e.message ?? 'is invalid') };
  });
}
