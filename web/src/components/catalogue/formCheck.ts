// The check a catalogue form's answers pass before they are sent: the form version's ajv code, imported from the API
// (the module the server checks with), run on the tidied answers; its errors come back as one code per field.
import { answerErrors, tidyAnswers, type AnswerErrorCode, type FormLayout, type SchemaError } from '../../../../workflow-definitions/forms/index';

type Check = ((answers: unknown) => boolean) & { errors?: SchemaError[] | null };

const loaded = new Map<string, Promise<Check>>();

function load(url: string): Promise<Check> {
  let found = loaded.get(url);
  if (!found) {
    // A runtime address: the bundler must leave this import to the browser.
    found = import(/* @vite-ignore */ url).then((m: { default: Check }) => m.default);
    // A failed load (network) is tried again next time rather than remembered.
    found.catch(() => loaded.delete(url));
    loaded.set(url, found);
  }
  return found;
}

/** The answers as they will be sent (tidied: hidden and empty answers dropped), and each field's error code. */
export async function checkAnswers(layout: FormLayout, raw: Record<string, unknown>, checkUrl: string): Promise<{ answers: Record<string, unknown>; errors: Record<string, AnswerErrorCode> }> {
  const answers = tidyAnswers(layout, raw);
  const check = await load(checkUrl);
  if (check(answers)) return { answers, errors: {} };
  return { answers, errors: Object.fromEntries(answerErrors(layout, check.errors ?? []).map((e) => [e.field, e.code])) };
}
