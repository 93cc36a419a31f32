// The changes between two snapshots of a piece of configuration, as JSON-pointer paths with their before and after values.

export interface Change {
  path: string;
  before: unknown;
  after: unknown;
}

/** Past this many changed leaves (a definition rewritten from scratch), the rest is summed up in one last entry. */
export const MAX_CHANGES = 200;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const escape = (key: string) => key.replace(/~/g, '~0').replace(/\//g, '~1');

export function diff(before: unknown, after: unknown): Change[] {
  const out: Change[] = [];
  let omitted = 0;
  const walk = (a: unknown, b: unknown, path: string) => {
    if (isObject(a) && isObject(b)) {
      for (const key of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) walk(a[key], b[key], `${path}/${escape(key)}`);
      return;
    }
    if (Array.isArray(a) && Array.isArray(b)) {
      for (let i = 0; i < Math.max(a.length, b.length); i++) walk(a[i], b[i], `${path}/${i}`);
      return;
    }
    if (JSON.stringify(a) === JSON.stringify(b)) return;
    if (out.length < MAX_CHANGES) out.push({ path: path || '/', before: a ?? null, after: b ?? null });
    else omitted += 1;
  };
  walk(before, after, '');
  if (omitted) out.push({ path: '…', before: null, after: `${omitted} more change(s)` });
  return out;
}
