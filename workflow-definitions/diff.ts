// Structural diff between two definition versions; named lists (states, transitions, ...) are matched by name, not position.
export interface DefinitionChange {
  /** A path like /states/resolved/label/fr: list items are addressed by their name. */
  path: string;
  op: 'added' | 'removed' | 'changed';
  before?: unknown;
  after?: unknown;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isNamedList = (v: unknown): v is Array<{ name: string }> =>
  Array.isArray(v) && v.length > 0 && v.every((x) => isObject(x) && typeof x.name === 'string');
const esc = (k: string) => k.replace(/~/g, '~0').replace(/\//g, '~1');

export function diffDefinitions(before: unknown, after: unknown, path = ''): DefinitionChange[] {
  if (JSON.stringify(before) === JSON.stringify(after)) return [];
  if ((isNamedList(before) || (Array.isArray(before) && before.length === 0)) && (isNamedList(after) || (Array.isArray(after) && after.length === 0))) {
    const a = new Map((before as Array<{ name: string }>).map((x) => [x.name, x]));
    const b = new Map((after as Array<{ name: string }>).map((x) => [x.name, x]));
    const changes: DefinitionChange[] = [];
    for (const [name, item] of a) {
      if (!b.has(name)) changes.push({ path: `${path}/${esc(name)}`, op: 'removed', before: item });
      else changes.push(...diffDefinitions(item, b.get(name), `${path}/${esc(name)}`));
    }
    for (const [name, item] of b) if (!a.has(name)) changes.push({ path: `${path}/${esc(name)}`, op: 'added', after: item });
    return changes;
  }
  if (isObject(before) && isObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])];
    return keys.flatMap((k) => {
      const p = `${path}/${esc(k)}`;
      if (!(k in after)) return [{ path: p, op: 'removed' as const, before: before[k] }];
      if (!(k in before)) return [{ path: p, op: 'added' as const, after: after[k] }];
      return diffDefinitions(before[k], after[k], p);
    });
  }
  return [{ path: path || '/', op: 'changed', before, after }];
}
