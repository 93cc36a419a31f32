// The scheduled contact sync: every contact the source lists becomes (or updates) a customer of the desk, with its
// organisation, in batches the desk applies whole; what was skipped and why is in the run's report.
import type { PluginDirectory, PluginRunReport } from '../../platform/plugins/v1';
import { fetchJson } from './http-source';
import { readRows } from './sql-source';
import { type CrmSettings } from './settings';

const BATCH = 1000;
/** Beyond this a run refuses rather than hold the whole CRM in memory: sync a narrower query. */
export const MAX_SYNC_ROWS = 200_000;
/** A sync statement may take longer than a panel's lookup. */
const SYNC_TIMEOUT_MS = 120_000;

/** The most a sync source's answer may weigh (about 200,000 contacts): more is refused before it is parsed. */
const MAX_SYNC_BYTES = 64 * 1024 * 1024;

async function source(s: CrmSettings): Promise<unknown[]> {
  // Never more rows than a run takes: the database stops at one past the limit, so the worker never holds the whole CRM.
  if (s.source === 'sql') return readRows(s.databaseUrl!, SYNC_TIMEOUT_MS, `select * from (${s.syncQuery!.trim().replace(/;+$/, '')}) as sync_source limit ${MAX_SYNC_ROWS + 1}`, []);
  const body = await fetchJson(s.syncUrl!, s.apiToken, SYNC_TIMEOUT_MS, MAX_SYNC_BYTES);
  if (!Array.isArray(body)) throw new Error('the sync URL must answer a JSON array of contacts');
  return body;
}

export async function syncContacts(s: CrmSettings, directory: PluginDirectory): Promise<PluginRunReport> {
  const rows = await source(s);
  if (rows.length > MAX_SYNC_ROWS) throw new Error(`the source listed ${rows.length} contacts; a run syncs at most ${MAX_SYNC_ROWS}`);
  const contacts = rows.map((r) => {
    const row = (r && typeof r === 'object' ? r : {}) as Record<string, unknown>;
    const text = (v: unknown) => (typeof v === 'string' ? v : v == null ? undefined : String(v));
    // A source without an organisation column leaves each contact's organisation as it is.
    // A locale column (en or fr) sets the language the desk writes to them in; none leaves it as it is.
    const locale = text(row.locale)?.trim().toLowerCase();
    return {
      email: text(row.email) ?? '',
      name: text(row.name) ?? '',
      ...('organisation' in row ? { organisation: text(row.organisation) ?? null } : {}),
      ...(locale ? { locale: locale as 'en' | 'fr' } : {}),
    };
  });
  const report = { created: 0, updated: 0, unchanged: 0, skipped: 0, notes: [] as string[] };
  for (let i = 0; i < contacts.length; i += BATCH) {
    const result = await directory.upsertContacts(contacts.slice(i, i + BATCH));
    report.created += result.created;
    report.updated += result.updated;
    report.unchanged += result.unchanged;
    report.skipped += result.skipped;
    // Row numbers in notes count from the batch's start: say which batch.
    report.notes.push(...result.notes.map((n) => (i ? `batch from row ${i + 1}: ${n}` : n)));
  }
  report.notes = report.notes.slice(0, 50);
  return report;
}
