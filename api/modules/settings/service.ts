// Desk-wide settings an admin changes at run time. Every setting has a default here, so a desk that never saved one
// behaves as documented, and the stored rows only hold what an admin changed.
import type { EntityManager } from '@mikro-orm/postgresql';
import { DeskSetting } from '../../../platform/db/entities/index';

export interface DeskSettings {
  /** Customers may file tickets at "critical" priority (else their highest is "high"; agents can still raise it). */
  customersMayChooseCritical: boolean;
  /** When not empty, agents may tag tickets only with these (a managed list); empty, any tag is allowed. */
  allowedTags: string[];
  /** The largest file accepted, in MiB. */
  attachmentMaxMegabytes: number;
  /** The most a reply's files may weigh together, in MiB (checked by the console before it sends them). */
  attachmentMessageMaxMegabytes: number;
  /** The file types (MIME) accepted as attachments. */
  attachmentTypes: string[];
  /** Roles whose local accounts must use two-step sign-in. */
  twoStepRequiredFor: Array<'admin' | 'agent' | 'customer'>;
}

export const DEFAULT_ATTACHMENT_TYPES = [
  'image/png',
  'image/jpeg',
  'image/gif',
  'image/webp',
  'application/pdf',
  'text/plain',
  'text/csv',
  'application/zip',
  'application/json',
  'application/msword',
  'application/vnd.ms-excel',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  'application/vnd.oasis.opendocument.text',
  'application/vnd.oasis.opendocument.spreadsheet',
];

export const DEFAULT_SETTINGS: DeskSettings = {
  customersMayChooseCritical: false,
  allowedTags: [],
  attachmentMaxMegabytes: 10,
  attachmentMessageMaxMegabytes: 25,
  attachmentTypes: DEFAULT_ATTACHMENT_TYPES,
  twoStepRequiredFor: [],
};

/** How long a replica trusts what it read: every request that checks a setting would otherwise cost a query. */
const CACHE_MS = 5_000;

export class SettingsService {
  private cached: { at: number; value: Promise<DeskSettings> } | null = null;

  constructor(
    private readonly em: EntityManager,
    private readonly now: () => number = Date.now,
  ) {}

  /** The settings as read at most a few seconds ago (on this replica; another one may still hold the previous value for as long). */
  recent(): Promise<DeskSettings> {
    if (!this.cached || this.now() - this.cached.at > CACHE_MS) {
      const value = this.get();
      this.cached = { at: this.now(), value };
      value.catch(() => (this.cached = null));
    }
    return this.cached.value;
  }

  async get(): Promise<DeskSettings> {
    const rows = await this.em.fork().findAll(DeskSetting, { fields: ['key', 'value'] });
    // A key an older or newer desk wrote and this one does not know is left out.
    const stored = Object.fromEntries(rows.filter((r) => r.key in DEFAULT_SETTINGS).map((r) => [r.key, r.value]));
    return { ...DEFAULT_SETTINGS, ...stored };
  }

  async update(changes: Partial<DeskSettings>, by: string): Promise<DeskSettings> {
    const rows = Object.entries(changes).map(([key, value]) => ({ key, value, updatedBy: by, updatedAt: new Date() }));
    // One statement: every change lands, or none.
    if (rows.length) await this.em.fork().upsertMany(DeskSetting, rows);
    this.cached = null;
    return this.get();
  }
}
