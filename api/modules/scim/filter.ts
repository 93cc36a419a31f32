// SCIM filters (RFC 7644 §3.4.2.2) parsed into a tree and compiled to a parameterised SQL condition: identity providers
// look accounts up with them (`userName eq "a@b"`) before deciding whether to create one.
import { scimError } from './errors';

export type CompareOp = 'eq' | 'ne' | 'co' | 'sw' | 'ew' | 'gt' | 'ge' | 'lt' | 'le';
export type Literal = string | number | boolean | null;

export type Filter =
  | { kind: 'and' | 'or'; left: Filter; right: Filter }
  | { kind: 'not'; filter: Filter }
  | { kind: 'compare'; path: string; op: CompareOp; value: Literal }
  | { kind: 'present'; path: string }
  /** `emails[type eq "work"]`: the inner filter's paths are sub-attributes of `path`. */
  | { kind: 'valuePath'; path: string; filter: Filter };

const COMPARE_OPS = new Set<string>(['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le']);
const MAX_FILTER = 1000;
const MAX_DEPTH = 20;

type Token = { kind: 'word'; text: string } | { kind: 'string'; text: string } | { kind: 'punct'; text: '(' | ')' | '[' | ']' };

const invalid = (detail: string) => scimError(400, 'invalidFilter', `invalid filter: ${detail}`);

function tokenize(input: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < input.length) {
    const c = input[i]!;
    if (c === ' ' || c === '\t') {
      i++;
    } else if (c === '(' || c === ')' || c === '[' || c === ']') {
      tokens.push({ kind: 'punct', text: c });
      i++;
    } else if (c === '"') {
      // A JSON string: its escapes are JSON's.
      let j = i + 1;
      while (j < input.length && input[j] !== '"') j += input[j] === '\\' ? 2 : 1;
      if (j >= input.length) throw invalid('a string is not closed');
      try {
        tokens.push({ kind: 'string', text: JSON.parse(input.slice(i, j + 1)) as string });
      } catch {
        throw invalid(`bad escape in ${input.slice(i, j + 1)}`);
      }
      i = j + 1;
    } else {
      const m = /^[A-Za-z0-9:._$+-]+/.exec(input.slice(i));
      if (!m) throw invalid(`unexpected '${c}' at ${i + 1}`);
      tokens.push({ kind: 'word', text: m[0] });
      i += m[0].length;
    }
  }
  return tokens;
}

class Parser {
  private at = 0;
  constructor(private readonly tokens: Token[]) {}

  parse(): Filter {
    const f = this.or(0);
    if (this.at < this.tokens.length) throw invalid(`unexpected '${this.tokens[this.at]!.text}'`);
    return f;
  }

  private peekWord(): string | undefined {
    const t = this.tokens[this.at];
    return t?.kind === 'word' ? t.text.toLowerCase() : undefined;
  }

  private expect(text: string): void {
    const t = this.tokens[this.at];
    if (t?.kind !== 'punct' || t.text !== text) throw invalid(`expected '${text}'`);
    this.at++;
  }

  private or(depth: number): Filter {
    let left = this.and(depth);
    while (this.peekWord() === 'or') {
      this.at++;
      left = { kind: 'or', left, right: this.and(depth) };
    }
    return left;
  }

  private and(depth: number): Filter {
    let left = this.unary(depth);
    while (this.peekWord() === 'and') {
      this.at++;
      left = { kind: 'and', left, right: this.unary(depth) };
    }
    return left;
  }

  private unary(depth: number): Filter {
    if (depth > MAX_DEPTH) throw invalid('nested too deeply');
    const t = this.tokens[this.at];
    if (!t) throw invalid('it ends too early');
    if (t.kind === 'word' && t.text.toLowerCase() === 'not') {
      this.at++;
      this.expect('(');
      const filter = this.or(depth + 1);
      this.expect(')');
      return { kind: 'not', filter };
    }
    if (t.kind === 'punct' && t.text === '(') {
      this.at++;
      const inner = this.or(depth + 1);
      this.expect(')');
      return inner;
    }
    if (t.kind !== 'word') throw invalid(`expected an attribute, found '${t.text}'`);
    this.at++;
    const path = t.text;
    if (!/^(?:urn:[A-Za-z0-9:._-]+:)?[A-Za-z][\w$-]*(?:\.[A-Za-z][\w$-]*)?$/.test(path)) throw invalid(`'${path}' is not an attribute path`);
    const next = this.tokens[this.at];
    if (next?.kind === 'punct' && next.text === '[') {
      this.at++;
      const filter = this.or(depth + 1);
      this.expect(']');
      return { kind: 'valuePath', path, filter };
    }
    const op = this.peekWord();
    if (op === 'pr') {
      this.at++;
      return { kind: 'present', path };
    }
    if (!op || !COMPARE_OPS.has(op)) throw invalid(`expected an operator after '${path}'`);
    this.at++;
    return { kind: 'compare', path, op: op as CompareOp, value: this.literal() };
  }

  private literal(): Literal {
    const t = this.tokens[this.at++];
    if (!t) throw invalid('a value is missing');
    if (t.kind === 'string') return t.text;
    if (t.kind === 'word') {
      const w = t.text.toLowerCase();
      if (w === 'true') return true;
      if (w === 'false') return false;
      if (w === 'null') return null;
      if (/^-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?$/.test(t.text)) return Number(t.text);
    }
    throw invalid(`'${t.text}' is not a value (strings are quoted)`);
  }
}

export function parseFilter(input: string): Filter {
  if (input.length > MAX_FILTER) throw invalid(`longer than ${MAX_FILTER} characters`);
  return new Parser(tokenize(input)).parse();
}

// ---- compilation to SQL ----

/** What a filterable attribute is in SQL. `exists` wraps the comparison for attributes held in another table. */
export interface Column {
  sql: string;
  type: 'string' | 'exactString' | 'boolean' | 'dateTime';
  exists?: (condition: string) => string;
}

/** Resolves a lower-cased attribute path (core schema prefix removed) to its column, or undefined when not filterable. */
export type Columns = (path: string) => Column | undefined;

const CORE_PREFIX = /^urn:ietf:params:scim:schemas:core:2\.0:(?:user|group):/i;

export function normalisePath(path: string): string {
  return path.replace(CORE_PREFIX, '').toLowerCase();
}

export function compileFilter(filter: Filter, columns: Columns): { sql: string; params: unknown[] } {
  const params: unknown[] = [];
  const walk = (f: Filter, prefix: string): string => {
    switch (f.kind) {
      case 'and':
      case 'or':
        return `(${walk(f.left, prefix)} ${f.kind} ${walk(f.right, prefix)})`;
      case 'not':
        return `(not coalesce(${walk(f.filter, prefix)}, false))`;
      case 'valuePath':
        return walk(f.filter, `${normalisePath(f.path)}.`);
      case 'present':
      case 'compare': {
        const path = prefix + normalisePath(f.path);
        const column = columns(path) ?? columns(`${path}.value`);
        if (!column) throw invalid(`'${prefix}${f.path}' cannot be filtered on`);
        const condition = f.kind === 'present' ? present(column) : compare(column, f.op, f.value, path, params);
        return column.exists ? column.exists(condition) : condition;
      }
    }
  };
  return { sql: walk(filter, ''), params };
}

function present(column: Column): string {
  return column.type === 'string' || column.type === 'exactString' ? `coalesce(${column.sql}, '') <> ''` : `${column.sql} is not null`;
}

function compare(column: Column, op: CompareOp, value: Literal, path: string, params: unknown[]): string {
  if (value === null) {
    if (op === 'eq') return `${column.sql} is null`;
    if (op === 'ne') return `${column.sql} is not null`;
    throw invalid(`'${op}' cannot compare with null`);
  }
  if (column.type === 'boolean') {
    if (typeof value !== 'boolean') throw invalid(`${path} is true or false`);
    if (op !== 'eq' && op !== 'ne') throw invalid(`${path} is compared with eq or ne only`);
    params.push(value);
    return `${column.sql} ${op === 'eq' ? '=' : '<>'} ?`;
  }
  if (typeof value !== 'string') throw invalid(`${path} is compared with a quoted string`);
  if (column.type === 'dateTime') {
    if (Number.isNaN(Date.parse(value))) throw invalid(`'${value}' is not a date and time`);
    if (op === 'co' || op === 'sw' || op === 'ew') throw invalid(`${path} is a date: use eq, ne, gt, ge, lt or le`);
    params.push(value);
    return `${column.sql} ${SQL_OPS[op]} ?::timestamptz`;
  }
  // Case-insensitive strings (caseExact false, as userName and emails are) compare lower-cased.
  const lhs = column.type === 'string' ? `lower(${column.sql})` : column.sql;
  const rhs = column.type === 'string' ? 'lower(?)' : '?';
  switch (op) {
    case 'co':
      params.push(value);
      return `strpos(${lhs}, ${rhs}) > 0`;
    case 'sw':
      params.push(value);
      return `starts_with(${lhs}, ${rhs})`;
    case 'ew':
      params.push(value, value);
      return `right(${lhs}, length(?)) = ${rhs}`;
    default:
      params.push(value);
      return `${lhs} ${SQL_OPS[op]} ${rhs}`;
  }
}

const SQL_OPS: Record<'eq' | 'ne' | 'gt' | 'ge' | 'lt' | 'le', string> = { eq: '=', ne: '<>', gt: '>', ge: '>=', lt: '<', le: '<=' };
