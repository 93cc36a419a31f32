// Reads the CRM's JSON API: one GET within the time limit, the token as a bearer; 404 means no record.

export async function fetchJson(url: string, token: string | undefined, timeoutMs: number): Promise<unknown> {
  let res: Response;
  try {
    res = await fetch(url, { headers: { accept: 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, signal: AbortSignal.timeout(timeoutMs), redirect: 'error' });
  } catch (err) {
    const reason = (err as Error).name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : (err as Error).message;
    throw new Error(`the CRM API could not be reached: ${reason}`);
  }
  if (res.status === 404) return null;
  if (!res.ok) throw new Error(`the CRM API answered ${res.status} ${res.statusText}`);
  try {
    return await res.json();
  } catch {
    throw new Error('the CRM API answered something that is not JSON');
  }
}

/** The URL with `{name}` replaced by `value`, encoded. */
export const fill = (template: string, name: string, value: string): string => template.replaceAll(`{${name}}`, encodeURIComponent(value));
