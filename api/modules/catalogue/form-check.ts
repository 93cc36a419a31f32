// A form version's answer check, compiled once by ajv: the function the server checks submissions with, and the same
// compiled code as an ES module the console imports (its Content-Security-Policy forbids compiling in the browser), so
// both sides apply one check.
import Ajv2020 from 'ajv/dist/2020';
import standaloneCode from 'ajv/dist/standalone';
import { answersSchema, FORM_AJV_OPTIONS, type FormLayout, type SchemaError } from '../../../workflow-definitions/index';
import { unprocessable } from '../../http/problem';

export type AnswersCheck = ((answers: unknown) => boolean) & { errors?: SchemaError[] | null };

export interface CompiledForm {
  check: AnswersCheck;
  /** ES module source whose default export is `check`. */
  module: string;
}

/**
 * ajv's generated code requires its runtime helpers; a form's schema needs only the code-point length of strings.
 * Any other helper means a schema this module does not know how to ship, which is refused rather than served broken.
 */
const RUNTIME: Record<string, string> = {
  'ajv/dist/runtime/ucs2length': '({ default: (s) => Array.from(s).length })',
};

/** Compiles a layout's answers schema; a schema ajv refuses is the admin's error, named at the form. */
export function compileForm(layout: FormLayout): CompiledForm {
  const ajv = new Ajv2020({ ...FORM_AJV_OPTIONS, code: { source: true, esm: true } });
  let check: ReturnType<typeof ajv.compile>;
  try {
    check = ajv.compile(answersSchema(layout));
  } catch (err) {
    throw unprocessable(`the form's schema is refused: ${(err as Error).message}`, [{ pointer: '/form', message: (err as Error).message }], 'invalid-form');
  }
  const source = standaloneCode(ajv, check).replace(/^"use strict";/, '');
  const module = source.replace(/require\("([^"]+)"\)/g, (_, name: string) => {
    const inline = RUNTIME[name];
    if (!inline) throw unprocessable(`the form needs ${name}, which the console cannot load`, [{ pointer: '/form', message: 'unsupported schema' }], 'invalid-form');
    return inline;
  });
  return { check: check as AnswersCheck, module };
}

/** Compiled forms by offering and version: a version never changes once made, so an entry is good until evicted. */
export class CompiledForms {
  private readonly cache = new Map<string, CompiledForm>();
  constructor(private readonly max = 200) {}

  get(offeringId: string, version: number, layout: FormLayout): CompiledForm {
    const key = `${offeringId}@${version}`;
    let found = this.cache.get(key);
    if (found) {
      this.cache.delete(key);
    } else {
      found = compileForm(layout);
      if (this.cache.size >= this.max) this.cache.delete(this.cache.keys().next().value!);
    }
    this.cache.set(key, found);
    return found;
  }
}
