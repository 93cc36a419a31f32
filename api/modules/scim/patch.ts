// SCIM PATCH (RFC 7644 §3.5.2) applied to a resource's JSON representation: the result is then saved like a PUT, so both
// paths share one mapping to the desk. Every operation is checked before the first is applied: a bad one leaves nothing half-done.
import { scimError } from './errors';
import { normalisePath, parseFilter, type Filter, type Literal } from './filter';
import type { Attribute } from './resource-schema';

export interface PatchOperation {
  op: string;
  path?: string;
  value?: unknown;
}

type Json = Record<string, unknown>;

interface Target {
  /** Where the attribute lives: the resource, or an extension's object in it. */
  extension?: string;
  attr: Attribute;
  filter?: Filter;
  sub?: Attribute;
}

const READ_ONLY = new Set(['id', 'meta', 'schemas']);

function findAttr(attrs: Attribute[], name: string): Attribute | undefined {
  return attrs.find((a) => a.name.toLowerCase() === name.toLowerCase());
}

/** Resolves a path against the resource's attributes (and its extensions' ones); an unknown attribute is invalidPath. */
export function resolvePath(path: string, core: { schema: string; attrs: Attribute[] }, extensions: Record<string, Attribute[]>): Target {
  let rest = path.trim();
  let extension: string | undefined;
  let attrs = core.attrs;
  if (/^urn:/i.test(rest)) {
    const ext = Object.keys(extensions).find((urn) => rest.toLowerCase().startsWith(`${urn.toLowerCase()}:`));
    if (ext) {
      extension = ext;
      attrs = extensions[ext]!;
      rest = rest.slice(ext.length + 1);
    } else if (rest.toLowerCase().startsWith(`${core.schema.toLowerCase()}:`)) {
      rest = rest.slice(core.schema.length + 1);
    } else {
      throw scimError(400, 'invalidPath', `'${path}' names a schema this desk does not keep`);
    }
  }
  const m = /^([A-Za-z$][\w$-]*)(?:\[(.*)\])?(?:\.([A-Za-z$][\w$-]*))?$/.exec(rest);
  if (!m) throw scimError(400, 'invalidPath', `'${path}' is not an attribute path`);
  const [, name, filterText, subName] = m;
  if (READ_ONLY.has(name!.toLowerCase())) throw scimError(400, 'mutability', `'${name}' cannot be changed`);
  const attr = findAttr(attrs, name!);
  if (!attr) throw scimError(400, 'invalidPath', `'${path}': this desk keeps no attribute '${name}'`);
  let filter: Filter | undefined;
  if (filterText !== undefined) {
    if (!attr.multiValued) throw scimError(400, 'invalidPath', `'${path}': ${attr.name} is not multi-valued, it takes no filter`);
    try {
      filter = parseFilter(filterText);
    } catch (err) {
      throw scimError(400, 'invalidPath', `'${path}': ${(err as Error).message}`);
    }
  }
  let sub: Attribute | undefined;
  if (subName !== undefined) {
    sub = attr.subAttributes && findAttr(attr.subAttributes, subName);
    if (!sub) throw scimError(400, 'invalidPath', `'${path}': ${attr.name} has no sub-attribute '${subName}'`);
    if (sub.mutability === 'readOnly') throw scimError(400, 'mutability', `'${path}' cannot be changed`);
  }
  return { extension, attr, filter, sub };
}

/** Does a multi-valued attribute's element match a value filter (`type eq "work"`)? Strings compare case-insensitively. */
export function matches(element: unknown, filter: Filter): boolean {
  const el = (element && typeof element === 'object' ? element : { value: element }) as Json;
  switch (filter.kind) {
    case 'and':
      return matches(el, filter.left) && matches(el, filter.right);
    case 'or':
      return matches(el, filter.left) || matches(el, filter.right);
    case 'not':
      return !matches(el, filter.filter);
    case 'valuePath':
      return false;
    case 'present': {
      const v = field(el, filter.path);
      return v !== undefined && v !== null && v !== '';
    }
    case 'compare':
      return compareValue(field(el, filter.path), filter.op, filter.value);
  }
}

function field(el: Json, path: string): unknown {
  const name = normalisePath(path);
  const key = Object.keys(el).find((k) => k.toLowerCase() === name);
  return key === undefined ? undefined : el[key];
}

function compareValue(actual: unknown, op: string, expected: Literal): boolean {
  if (expected === null) return op === 'eq' ? actual == null : op === 'ne' ? actual != null : false;
  if (typeof expected === 'boolean' || typeof expected === 'number') return op === 'eq' ? actual === expected : op === 'ne' ? actual !== expected : false;
  if (typeof actual !== 'string') return op === 'ne';
  const a = actual.toLowerCase();
  const e = expected.toLowerCase();
  switch (op) {
    case 'eq':
      return a === e;
    case 'ne':
      return a !== e;
    case 'co':
      return a.includes(e);
    case 'sw':
      return a.startsWith(e);
    case 'ew':
      return a.endsWith(e);
    case 'gt':
      return a > e;
    case 'ge':
      return a >= e;
    case 'lt':
      return a < e;
    case 'le':
      return a <= e;
    default:
      return false;
  }
}

function keyOf(obj: Json, name: string): string {
  return Object.keys(obj).find((k) => k.toLowerCase() === name.toLowerCase()) ?? name;
}

/** `emails[type eq "work"]` with no matching element: an add or replace makes one carrying the filter's value. */
function seedFromFilter(filter: Filter): Json | undefined {
  if (filter.kind === 'compare' && filter.op === 'eq') return { [filter.path]: filter.value };
  if (filter.kind === 'and') {
    const l = seedFromFilter(filter.left);
    const r = seedFromFilter(filter.right);
    return l && r ? { ...l, ...r } : undefined;
  }
  return undefined;
}

function sameElement(a: unknown, b: unknown): boolean {
  const va = a && typeof a === 'object' ? (a as Json).value : a;
  const vb = b && typeof b === 'object' ? (b as Json).value : b;
  return va !== undefined && typeof va === typeof vb && String(va).toLowerCase() === String(vb).toLowerCase();
}

function applyAt(container: Json, target: Target, op: 'add' | 'replace' | 'remove', value: unknown, path: string): void {
  const key = keyOf(container, target.attr.name);
  const { attr, filter, sub } = target;
  if (attr.multiValued) {
    const current = Array.isArray(container[key]) ? [...(container[key] as unknown[])] : [];
    if (!filter) {
      if (sub) throw scimError(400, 'invalidPath', `'${path}': say which ${attr.name} element with a filter`);
      const incoming = value === undefined ? [] : Array.isArray(value) ? value : [value];
      if (op === 'remove') {
        // Without a value the whole attribute goes; with one (as some providers send for members), those elements go.
        container[key] = value === undefined ? [] : current.filter((c) => !incoming.some((v) => sameElement(c, v)));
      } else if (op === 'replace') {
        container[key] = incoming;
      } else {
        container[key] = [...current, ...incoming.filter((v) => !current.some((c) => sameElement(c, v)))];
      }
      return;
    }
    const hit = current.map((c) => matches(c, filter));
    if (!hit.some(Boolean)) {
      if (op === 'remove') return;
      const seed = seedFromFilter(filter);
      if (!seed) throw scimError(400, 'noTarget', `'${path}' matches no ${attr.name} element`);
      container[key] = [...current, sub ? { ...seed, [sub.name]: value } : { ...seed, ...(value as Json) }];
      return;
    }
    if (op === 'remove') {
      container[key] = sub ? current.map((c, i) => (hit[i] ? omit(c as Json, sub.name) : c)) : current.filter((_, i) => !hit[i]);
      return;
    }
    container[key] = current.map((c, i) => {
      if (!hit[i]) return c;
      if (sub) return { ...(c as Json), [keyOf(c as Json, sub.name)]: value };
      return op === 'replace' ? value : { ...(c as Json), ...(value as Json) };
    });
    return;
  }
  if (sub) {
    const inner = container[key] && typeof container[key] === 'object' ? { ...(container[key] as Json) } : {};
    if (op === 'remove') delete inner[keyOf(inner, sub.name)];
    else inner[keyOf(inner, sub.name)] = value;
    container[key] = inner;
    return;
  }
  if (op === 'remove') {
    delete container[key];
  } else if (attr.type === 'complex' && op === 'add' && value && typeof value === 'object' && container[key] && typeof container[key] === 'object') {
    container[key] = { ...(container[key] as Json), ...(value as Json) };
  } else {
    container[key] = value;
  }
}

function omit(obj: Json, name: string): Json {
  const copy = { ...obj };
  delete copy[keyOf(copy, name)];
  return copy;
}

export interface PatchSchema {
  schema: string;
  attrs: Attribute[];
  extensions: Record<string, Attribute[]>;
}

/** Applies the operations to a copy of `resource` and returns it; throws (applying nothing) on the first bad operation. */
export function applyPatch(resource: Json, operations: PatchOperation[], schema: PatchSchema): Json {
  const doc = structuredClone(resource);
  // Resolve every path first: an unknown one must refuse the whole request before anything changes.
  const planned = operations.map((o, i) => {
    const op = String(o.op ?? '').toLowerCase();
    if (op !== 'add' && op !== 'replace' && op !== 'remove') throw scimError(400, 'invalidSyntax', `Operations[${i}]: op '${o.op}' is not add, replace or remove`);
    if (op !== 'remove' && o.value === undefined) throw scimError(400, 'invalidValue', `Operations[${i}]: ${op} needs a value`);
    if (o.path === undefined || o.path === '') {
      if (op === 'remove') throw scimError(400, 'noTarget', `Operations[${i}]: remove needs a path`);
      if (!o.value || typeof o.value !== 'object' || Array.isArray(o.value)) throw scimError(400, 'invalidValue', `Operations[${i}]: without a path the value is an object of attributes`);
      return { op, targets: expandObject(o.value as Json, schema) };
    }
    if (typeof o.path !== 'string') throw scimError(400, 'invalidPath', `Operations[${i}]: path is a string`);
    return { op, targets: [{ target: resolvePath(o.path, schema, schema.extensions), value: o.value, path: o.path }] };
  });
  for (const { op, targets } of planned) {
    for (const { target, value, path } of targets) {
      const container = target.extension ? extensionObject(doc, target.extension) : doc;
      applyAt(container, target, op as 'add' | 'replace' | 'remove', value, path);
    }
  }
  return doc;
}

function extensionObject(doc: Json, urn: string): Json {
  const key = keyOf(doc, urn);
  if (!doc[key] || typeof doc[key] !== 'object') doc[key] = {};
  return doc[key] as Json;
}

/** A path-less add/replace: each key is a path (an extension's key holds an object of its attributes). */
function expandObject(value: Json, schema: PatchSchema): Array<{ target: Target; value: unknown; path: string }> {
  const out: Array<{ target: Target; value: unknown; path: string }> = [];
  for (const [k, v] of Object.entries(value)) {
    if (k.toLowerCase() === 'schemas') continue;
    const ext = Object.keys(schema.extensions).find((urn) => urn.toLowerCase() === k.toLowerCase());
    if (ext && v && typeof v === 'object' && !Array.isArray(v)) {
      for (const [ek, ev] of Object.entries(v as Json)) out.push({ target: resolvePath(`${ext}:${ek}`, schema, schema.extensions), value: ev, path: `${ext}:${ek}` });
    } else {
      out.push({ target: resolvePath(k, schema, schema.extensions), value: v, path: k });
    }
  }
  return out;
}
