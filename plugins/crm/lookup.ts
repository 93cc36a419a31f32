// One contact's or organisation's record from the configured source, cached, as label/value rows for a panel.
import { createHash } from 'node:crypto';
import { LookupCache } from './cache';
import { fetchJson, fill } from './http-source';
import { readRows, type Row } from './sql-source';
import { cacheMsOf, timeLimitOf, type CrmSettings } from './settings';

export type Kind = 'contact' | 'organisation';

/** Fields shown per record: a panel is read at a glance. */
const MAX_FIELDS = 20;
const cache = new LookupCache<Row | null>();

/** What identifies the source (secrets included, hashed): answers read under other settings are not reused. */
const fingerprint = (s: CrmSettings): string => createHash('sha256').update(JSON.stringify(s)).digest('base64url').slice(0, 16);

async function read(s: CrmSettings, kind: Kind, value: string): Promise<Row | null> {
  const limit = timeLimitOf(s);
  if (s.source === 'sql') {
    const sql = kind === 'contact' ? s.contactQuery : s.organisationQuery;
    if (!sql) return null;
    const rows = await readRows(s.databaseUrl!, limit, sql, [value]);
    return rows[0] ?? null;
  }
  const template = kind === 'contact' ? s.contactUrl : s.organisationUrl;
  if (!template) return null;
  const body = await fetchJson(fill(template, kind === 'contact' ? 'email' : 'organisation', value), s.apiToken, limit);
  const record = Array.isArray(body) ? body[0] : body;
  if (record === null || record === undefined) return null;
  if (typeof record !== 'object') throw new Error('the CRM API answered JSON that is not an object');
  return record as Row;
}

/** Is a lookup of this kind configured at all? */
export const configured = (s: CrmSettings, kind: Kind): boolean =>
  Boolean(s.source === 'sql' ? (kind === 'contact' ? s.contactQuery : s.organisationQuery) : kind === 'contact' ? s.contactUrl : s.organisationUrl);

/** The record for `value` (an e-mail or an organisation name), from the cache while it is fresh. */
export function lookUp(s: CrmSettings, kind: Kind, value: string, fresh = false): Promise<Row | null> {
  const key = `${fingerprint(s)} ${kind} ${value.toLowerCase()}`;
  return cache.get(key, fresh ? 0 : cacheMsOf(s), () => read(s, kind, value));
}

const labelOf = (key: string): string => {
  const spaced = key.replace(/[_-]+/g, ' ').replace(/([a-z])([A-Z])/g, '$1 $2').trim().toLowerCase();
  return spaced.charAt(0).toUpperCase() + spaced.slice(1);
};

/** The record's plain values (text, numbers, yes/no, dates) as rows; nested objects and empty values are left out. */
export function rowsOf(record: Row, prefix = ''): { label: string; value: string }[] {
  return Object.entries(record)
    .filter(([, v]) => v !== null && v !== undefined && v !== '' && (typeof v !== 'object' || v instanceof Date))
    .slice(0, MAX_FIELDS)
    .map(([k, v]) => ({ label: `${prefix}${labelOf(k)}`, value: v instanceof Date ? v.toISOString() : String(v).slice(0, 500) }));
}
