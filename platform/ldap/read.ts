// Reading a directory: binding as its service account, paging through its users and groups, and turning each entry into
// the account the desk should have (e-mail, name, organisation, role, agent groups), with a warning for what it skips.
import type { Client, Entry } from 'ldapts';
import { attributeText, attributeTexts, DirectoryError, classify, normaliseDn, openBound } from './connection';
import { type DeskRole, type DirectoryRow, type GroupMapping, type SecretOpener } from './config';

/** An account as the directory describes it: what the sync makes the desk's account be. */
export interface Desired {
  subject: string;
  dn: string;
  login: string | null;
  email: string;
  name: string;
  organisation: string | null;
  role: DeskRole;
  /** The custom role a mapping gives (agents only); null when none does. */
  customRole: string | null;
  agentGroups: string[];
}

const RANK: Record<DeskRole, number> = { customer: 0, agent: 1, admin: 2 };
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
/** A run keeps this many warnings (skipped entries and the like); the count of skipped entries is kept whole. */
export const MAX_WARNINGS = 50;
const PAGE = 500;

export const settingsOf = (d: DirectoryRow, timeoutMs?: number) => ({ url: d.url, startTls: d.startTls, caCertificate: d.caCertificate ?? null, timeoutMs });

/** The service account's connection to a directory (its secret opened from the box). */
export async function openService(d: DirectoryRow, box: SecretOpener, timeoutMs?: number): Promise<Client> {
  let secret: string;
  try {
    secret = box.open(d.bindSecretSealed);
  } catch (err) {
    throw new DirectoryError('directory-misconfigured', `the bind secret cannot be opened: ${(err as Error).message}`);
  }
  return openBound(settingsOf(d, timeoutMs), d.bindDn, secret);
}

async function search(client: Client, base: string, filter: string, attributes: string[], binary: string[]): Promise<Entry[]> {
  try {
    const { searchEntries } = await client.search(base, { scope: 'sub', filter, attributes, paged: { pageSize: PAGE }, explicitBufferAttributes: binary });
    return searchEntries;
  } catch (err) {
    throw classify(err, 'search');
  }
}

const get = (entry: Entry, attribute: string): unknown => {
  if (attribute.toLowerCase() === 'dn') return entry.dn;
  const key = Object.keys(entry).find((k) => k.toLowerCase() === attribute.toLowerCase());
  return key ? entry[key] : undefined;
};

/** What the directory says every account should be; entries that cannot be accounts are skipped with a warning. */
export async function readDirectory(client: Client, d: DirectoryRow, beat: () => void = () => {}): Promise<{ desired: Desired[]; skipped: number; warnings: string[] }> {
  const a = d.attributes;
  const binary = a.id.toLowerCase() === 'objectguid' ? [a.id] : [];
  const wanted = [a.id, a.email, a.name, a.login, a.organisation, a.memberOf].filter((x): x is string => !!x && x.toLowerCase() !== 'dn');
  const entries: Entry[] = [];
  for (const base of d.userBaseDns) {
    entries.push(...(await search(client, base, d.userFilter, [...new Set(wanted)], binary)));
    beat();
  }
  // Each member DN's groups, as normalised DNs and cns, for the mappings to match either.
  const groupsOf = new Map<string, Array<{ dn: string; cn: string | null }>>();
  const mapped = d.groupMappings.length > 0;
  if (mapped && !a.memberOf) {
    for (const base of d.groupBaseDns) {
      for (const g of await search(client, base, d.groupFilter, ['cn', a.groupMember], [])) {
        const ref = { dn: normaliseDn(g.dn), cn: attributeText(get(g, 'cn'))?.toLowerCase() ?? null };
        for (const member of attributeTexts(get(g, a.groupMember))) {
          const key = normaliseDn(member);
          groupsOf.set(key, [...(groupsOf.get(key) ?? []), ref]);
        }
      }
      beat();
    }
  }
  const matches = (m: GroupMapping, groups: Array<{ dn: string; cn: string | null }>) =>
    m.group.includes('=') ? groups.some((g) => g.dn === normaliseDn(m.group)) : groups.some((g) => g.cn === m.group.toLowerCase());

  const warnings: string[] = [];
  const warn = (w: string) => warnings.length < MAX_WARNINGS && warnings.push(w);
  let skipped = 0;
  const desired: Desired[] = [];
  const seenSubjects = new Set<string>();
  const seenEmails = new Set<string>();
  for (const e of entries) {
    const subject = a.id.toLowerCase() === 'dn' ? normaliseDn(e.dn) : attributeText(get(e, a.id), a.id);
    const email = attributeText(get(e, a.email))?.toLowerCase() ?? null;
    if (!subject) {
      skipped += 1;
      warn(`${e.dn}: no ${a.id}`);
      continue;
    }
    if (!email || !EMAIL.test(email) || email.length > 254) {
      skipped += 1;
      warn(`${e.dn}: no usable e-mail in ${a.email}`);
      continue;
    }
    if (seenSubjects.has(subject) || seenEmails.has(email)) {
      skipped += 1;
      warn(`${e.dn}: ${seenSubjects.has(subject) ? `the same ${a.id} as another entry` : `the same e-mail as another entry (${email})`}`);
      continue;
    }
    seenSubjects.add(subject);
    seenEmails.add(email);
    const groups = a.memberOf
      ? attributeTexts(get(e, a.memberOf)).map((dn) => ({ dn: normaliseDn(dn), cn: /^\s*cn\s*=\s*([^,]+)/i.exec(dn)?.[1]?.trim().toLowerCase() ?? null }))
      : (groupsOf.get(normaliseDn(e.dn)) ?? []);
    let role: DeskRole = d.defaultRole;
    let customRole: string | null = null;
    const agentGroups = new Set<string>();
    for (const m of d.groupMappings) {
      if (!matches(m, groups)) continue;
      if (m.role && RANK[m.role] > RANK[role]) role = m.role;
      customRole ??= m.customRole ?? null;
      for (const k of m.agentGroups ?? []) agentGroups.add(k);
    }
    desired.push({
      subject,
      dn: e.dn,
      login: a.login ? attributeText(get(e, a.login)) : null,
      email,
      name: (attributeText(get(e, a.name)) ?? email).slice(0, 200),
      organisation: a.organisation ? (attributeText(get(e, a.organisation))?.slice(0, 200) ?? null) : null,
      role,
      customRole: role === 'agent' ? customRole : null,
      // Customers are in no agent group.
      agentGroups: role === 'customer' ? [] : [...agentGroups].sort(),
    });
  }
  return { desired, skipped, warnings };
}
