// The connector's settings as the admin saved them (checked against guichet-plugin.json before the plug-in sees them).

export interface CrmSettings {
  source: 'sql' | 'http';
  databaseUrl?: string;
  contactQuery?: string;
  organisationQuery?: string;
  contactUrl?: string;
  organisationUrl?: string;
  apiToken?: string;
  recordUrl?: string;
  timeoutMs?: number;
  cacheSeconds?: number;
  syncEveryMinutes?: number;
  syncQuery?: string;
  syncUrl?: string;
}

export const timeLimitOf = (s: CrmSettings): number => s.timeoutMs ?? 2000;
export const cacheMsOf = (s: CrmSettings): number => (s.cacheSeconds ?? 60) * 1000;

/** Where contacts to sync come from under these settings; null: no sync. */
export const syncSourceOf = (s: CrmSettings): string | null => (s.source === 'sql' ? (s.syncQuery ?? null) : (s.syncUrl ?? null));
