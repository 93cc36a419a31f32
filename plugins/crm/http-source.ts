// Reads the CRM's JSON API: one GET within the time limit, the token as a bearer; 404 means no record.

/** Panels read one record: a few hundred kilobytes is already far more than one. */
const MAX_RECORD_BYTES = 512 * 1024;

/** The body as text, refused once it passes `max` bytes (read in chunks, never whole beyond that). */
async function textWithin(res: Response, max: number): Promise<string> {
  const declared = Number(res.headers.get('content-length') ?? 0);
  if (declared > max) throw new Error(`the CRM API answered ${declared} bytes, more than the ${max} taken`);
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = res.body?.getReader();
  for (;;) {
    const next = reader ? await reader.read() : { done: true as const, value: undefined };
    if (next.done) break;
    size += next.value.byteLength;
    if (size > max) {
      await reader!.cancel();
      throw new Error(`the CRM API answered more than the ${max} bytes taken`);
    }
    chunks.push(next.value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export async function fetchJson(url: string, token: string | undefined, timeoutMs: number, maxBytes = MAX_RECORD_BYTES): Promise<unknown> {
  let res: Response;
  try {
    res = await fetch(url, { headers: { accept: 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, signal: AbortSignal.timeout(timeoutMs), redirect: 'error' });
  } catch (err) {
    const reason = (err as Error).name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : (err as Error).message;
    throw new Error(`the CRM API could not be reached: ${reason}`);
  }
  if (res.status === 404) return null;
  if (!res.ok) throw new Error(`the CRM API answered ${res.status} ${res.statusText}`);
  const text = await textWithin(res, maxBytes);
  try {
    return JSON.parse(text);
  } catch {
    throw new Error('the CRM API answered something that is not JSON');
  }
}

/** The URL with `{name}` replaced by `value`, encoded. */
export const fill = (template: string, name: string, value: string): string => template.replaceAll(`{${name}}`, encodeURIComponent(value));
