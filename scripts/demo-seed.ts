// The demo desk: seeds, through the public API like any integrator, a realistic service desk (two organisations and their
// customers, agents in two groups, a few hundred tickets across states with conversations, tags, time and SLA breaches,
// knowledge-base articles in English and French, assets and maintenance plans). Runs only against a desk with no ticket.
// `DEMO=1 npm start` (or `npm start -- --demo`) runs it after start-up; `npx tsx scripts/demo-seed.ts <url>` on a running desk.

import { loadConfig } from '../platform/config';

type Log = (message: string) => void;

class Client {
  private cookie = '';
  private csrf = '';
  constructor(private readonly base: string) {}

  static async login(base: string, email: string, password: string): Promise<Client> {
    const c = new Client(base);
    const res = await c.call('POST', '/api/auth/login', { email, password });
    c.csrf = (res as { csrfToken: string }).csrfToken;
    return c;
  }

  async call<T = any>(method: string, path: string, body?: unknown, ok: number[] = [200, 201, 204]): Promise<T> {
    const res = await fetch(this.base + path, {
      method,
      headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...(this.cookie ? { cookie: this.cookie } : {}), ...(this.csrf && method !== 'GET' ? { 'x-csrf-token': this.csrf } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const set = res.headers.get('set-cookie');
    if (set) this.cookie = set.split(';')[0]!;
    const text = await res.text();
    if (!ok.includes(res.status)) throw new Error(`${method} ${path}: ${res.status} ${text.slice(0, 300)}`);
    return (text ? JSON.parse(text) : undefined) as T;
  }
  get = <T = any>(path: string) => this.call<T>('GET', path);
  post = <T = any>(path: string, body: unknown = {}) => this.call<T>('POST', path, body);
  put = <T = any>(path: string, body: unknown) => this.call<T>('PUT', path, body);
}

/** Runs `op` over `items` with at most `concurrency` at once, in order of start. */
async function pool<T>(items: T[], concurrency: number, op: (item: T, i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < items.length) {
      const i = next++;
      await op(items[i]!, i);
    }
  }));
}

/** A fixed pseudo-random sequence, so every demo desk looks the same. */
function random(seed: number) {
  let s = seed;
  return () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
}

const PASSWORD = 'demo-password-1';

const SUBJECTS: Record<'en' | 'fr', ReadonlyArray<readonly [string, string, string]>> = {
  en: [
    ['VPN disconnects every few minutes', 'network', 'vpn'], ['Printer on the 2nd floor jams', 'hardware', 'printer'], ['Cannot log in to the ERP', 'software', 'erp'],
    ['New laptop for a new hire', 'hardware', 'onboarding'], ['Outlook keeps asking for my password', 'software', 'email'], ['Wi-Fi is slow in meeting room B', 'network', 'wifi'],
    ['Screen flickers on my docking station', 'hardware', 'docking'], ['Shared drive is full', 'software', 'storage'], ['Phone extension not ringing', 'hardware', 'telephony'],
    ['Access to the finance folder', 'access', 'permissions'],
  ],
  fr: [
    ['Le VPN se coupe toutes les cinq minutes', 'network', 'vpn'], ['L’imprimante du 2e étage bourre', 'hardware', 'printer'], ['Impossible de se connecter à l’ERP', 'software', 'erp'],
    ['Ordinateur portable pour un nouvel arrivant', 'hardware', 'onboarding'], ['Outlook redemande sans cesse mon mot de passe', 'software', 'email'], ['Le Wi-Fi est lent en salle B', 'network', 'wifi'],
    ['L’écran scintille sur la station d’accueil', 'hardware', 'docking'], ['Le lecteur partagé est plein', 'software', 'storage'], ['Mon poste téléphonique ne sonne plus', 'hardware', 'telephony'],
    ['Accès au dossier finance', 'access', 'permissions'],
  ],
};

const REPLIES = {
  en: ['It started this morning.', 'Still happening after a restart.', 'Thanks, that fixed it!', 'Any news on this?'],
  fr: ['Ça a commencé ce matin.', 'Toujours pareil après un redémarrage.', 'Merci, c’est réglé !', 'Des nouvelles ?'],
};

export interface DemoResult {
  seeded: boolean;
  reason?: string;
  tickets: number;
}

export async function seedDemo(base: string, admin: { email: string; password: string }, log: Log = () => {}): Promise<DemoResult> {
  const root = await Client.login(base, admin.email, admin.password);
  // Never over real work: a desk with any ticket is left as it is.
  const existing = await root.get<{ items: unknown[] }>('/api/tickets?limit=1');
  if (existing.items.length) return { seeded: false, reason: 'the desk already has tickets', tickets: 0 };
  const rand = random(20261204);
  const pick = <T>(list: readonly T[]) => list[Math.floor(rand() * list.length)]!;

  log('demo: organisations, people and groups');
  const orgs = [
    await root.post('/api/organisations', { name: 'Acme Industries', shareTickets: true }),
    await root.post('/api/organisations', { name: 'Bistro Lumière', shareTickets: false }),
  ];
  const person = async (name: string, role: string, locale: 'en' | 'fr', organisationId?: string) => {
    const email = `${name.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase().replace(/[^a-z]+/g, '.')}@demo.guichet.test`;
    const made = await root.post<{ id: string }>('/api/users', { email, name, role, locale, password: PASSWORD, ...(organisationId ? { organisationId } : {}) });
    return { id: made.id, name, locale, client: await Client.login(base, email, PASSWORD) };
  };
  const customers = [
    await person('Alice Martin', 'customer', 'en', orgs[0].id), await person('Bruno Keller', 'customer', 'en', orgs[0].id),
    await person('Chloé Dubois', 'customer', 'fr', orgs[0].id), await person('David Chen', 'customer', 'en', orgs[0].id),
    await person('Élodie Bernard', 'customer', 'fr', orgs[1].id), await person('François Petit', 'customer', 'fr', orgs[1].id),
    await person('Grace Okafor', 'customer', 'en', orgs[1].id), await person('Hugo Lefèvre', 'customer', 'fr', orgs[1].id),
  ];
  const agents = [await person('Inès Laurent', 'agent', 'fr'), await person('James Walker', 'agent', 'en'), await person('Karim Haddad', 'agent', 'fr'), await person('Laura Rossi', 'agent', 'en')];
  await root.post('/api/groups', { key: 'service_desk', name: 'Service desk (L1)' });
  await root.post('/api/groups', { key: 'network', name: 'Network and telephony' });
  await root.put('/api/groups/service_desk/members', { userIds: [agents[0]!.id, agents[1]!.id] });
  await root.put('/api/groups/network/members', { userIds: [agents[2]!.id, agents[3]!.id] });
  await root.post('/api/queues', { key: 'network', name: 'Network', description: 'VPN, Wi-Fi, telephony' });
  await root.put('/api/queues/network/groups', { groups: ['network'] });
  await root.put('/api/routing-rules', { items: [{ name: 'Network issues', conditions: { field: { name: 'category', equals: 'network' } }, queue: 'network' }] });

  await root.post('/api/macros', {
    name: 'Ask for details', shared: true,
    reply: { en: 'Hello {{requester.firstName}}, could you tell us when {{ticket.number}} started and send a screenshot? {{agent.name}}', fr: 'Bonjour {{requester.firstName}}, pouvez-vous nous dire depuis quand {{ticket.number}} se produit et envoyer une capture ? {{agent.name}}' },
    fields: { pending_reason: 'details' }, transition: 'wait_for_customer',
  });
  await root.post('/api/macros', { name: 'Resolved: restart', shared: true, reply: { en: 'We restarted the service; it works again.', fr: 'Nous avons redémarré le service ; tout fonctionne.' }, fields: { resolution: 'Service restarted' }, transition: 'resolve' });

  log('demo: tickets');
  const plans: Array<{ customer: (typeof customers)[number]; subject: readonly string[]; priority: string; type: string }> = [];
  for (let i = 0; i < 240; i++) {
    const customer = pick(customers);
    const r = rand();
    plans.push({ customer, subject: pick(SUBJECTS[customer.locale as 'en' | 'fr']), priority: r < 0.06 ? 'critical' : r < 0.25 ? 'high' : r < 0.7 ? 'medium' : 'low', type: rand() < 0.8 ? 'incident' : 'service_request' });
  }
  let count = 0;
  await pool(plans, 6, async (p) => {
    const agent = p.subject[1] === 'network' ? pick(agents.slice(2)) : pick(agents.slice(0, 2));
    // Customers file at high priority at most: a critical one is phoned in and opened by an agent on their behalf.
    const opener = p.priority === 'critical' ? agent.client : p.customer.client;
    const t = await opener.post<{ id: string; queue: string | null }>('/api/tickets', {
      type: p.type, title: p.subject[0], description: `${p.subject[0]}.`, priority: p.priority, ...(p.type === 'incident' ? { fields: { category: p.subject[1] } } : {}),
      ...(p.priority === 'critical' ? { requesterId: p.customer.id, channel: 'phone' } : {}),
    });
    count += 1;
    const fate = rand();
    // Untouched critical tickets miss their first-response target (15 min round the clock) while the demo runs.
    if (p.priority === 'critical' && fate < 0.5) return;
    if (rand() < 0.4) await p.customer.client.post(`/api/tickets/${t.id}/comments`, { body: pick(REPLIES[p.customer.locale as 'en' | 'fr']) });
    if (fate < 0.2) return;
    await agent.client.post(`/api/tickets/${t.id}/assign`, { assigneeId: agent.id, queue: t.queue });
    await agent.client.call('PUT', `/api/tickets/${t.id}/tags`, { add: [p.subject[2]] });
    if (p.type !== 'incident') return;
    await agent.client.post(`/api/tickets/${t.id}/transitions`, { transition: 'start' });
    await agent.client.post(`/api/tickets/${t.id}/comments`, {
      body: agent.locale === 'fr' ? 'Je regarde cela tout de suite.' : 'Looking into it now.', visibility: rand() < 0.3 ? 'internal' : 'public', timeSpent: 5 + Math.floor(rand() * 40),
    });
    if (fate < 0.45) return;
    if (fate < 0.6) {
      await agent.client.post(`/api/tickets/${t.id}/transitions`, { transition: 'wait_for_customer', fields: { pending_reason: 'screenshot' } });
      return;
    }
    await agent.client.post(`/api/tickets/${t.id}/transitions`, { transition: 'resolve', fields: { resolution: 'Fixed and checked with the user' }, timeSpent: 10 + Math.floor(rand() * 50) });
    if (fate > 0.85) await p.customer.client.post(`/api/tickets/${t.id}/transitions`, { transition: 'close' });
  });

  log('demo: knowledge base, assets and maintenance');
  await root.post('/api/kb/categories', { key: 'it_basics', name: { en: 'IT basics', fr: 'Informatique de base' } });
  const articles = [
    ['Connecting to the VPN', 'Se connecter au VPN', 'Install the client, sign in with your account and choose the nearest gateway.', 'Installez le client, connectez-vous avec votre compte et choisissez la passerelle la plus proche.'],
    ['Clearing a printer jam', 'Débloquer une imprimante', 'Open tray 2, remove the paper gently, close the tray and wait for the ready light.', 'Ouvrez le bac 2, retirez doucement le papier, refermez et attendez le voyant prêt.'],
    ['Resetting your password', 'Réinitialiser votre mot de passe', 'Use “Forgot password” on the sign-in page; the link is valid for one hour.', 'Utilisez « Mot de passe oublié » sur la page de connexion ; le lien est valable une heure.'],
  ];
  for (const [en, fr, bodyEn, bodyFr] of articles) {
    await root.post('/api/kb/articles', {
      categoryKey: 'it_basics', tags: ['demo'], visibility: 'public', status: 'published',
      translations: { en: { title: en, summary: en, body: bodyEn }, fr: { title: fr, summary: fr, body: bodyFr } },
    });
  }
  const start = new Date(Date.now() + 7 * 86_400_000).toISOString().slice(0, 10);
  for (const [name, kind, location] of [['Air handling unit AHU-1', 'equipment', 'Roof'], ['Server room UPS', 'equipment', 'Basement'], ['Main switch SW-CORE', 'equipment', 'Server room']] as const) {
    const asset = await root.post<{ id: string }>('/api/assets', { name, kind, criticality: 'high', location, category: 'Facilities' });
    await root.post('/api/maintenance/plans', {
      name: `${name}: quarterly service`, assetIds: [asset.id], schedule: { kind: 'rrule', rrule: 'FREQ=MONTHLY;INTERVAL=3' }, start: `${start}T09:00`, timeZone: 'Europe/Paris', leadDays: 7,
      checklist: [{ id: 'visual', label: 'Visual inspection', kind: 'check', mandatory: true }, { id: 'notes', label: 'Notes', kind: 'note', mandatory: false }],
    });
  }
  log(`demo: ${count} tickets seeded; people sign in with password ${PASSWORD}`);
  return { seeded: true, tickets: count };
}

if (process.argv[1]?.endsWith('demo-seed.ts')) {
  const config = loadConfig();
  const base = process.argv[2] ?? `http://${config.host}:${config.port}`;
  seedDemo(base, { email: config.adminEmail, password: config.adminPassword }, (m) => console.log(m))
    .then((r) => console.log(r.seeded ? `demo seeded: ${r.tickets} tickets` : `demo not seeded: ${r.reason}`))
    .catch((err) => {
      console.error(err);
      process.exit(1);
    });
}
