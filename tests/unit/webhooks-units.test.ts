// Webhook building blocks without servers: Standard Webhooks signatures, secret sealing, the SSRF address rules and inbound mappings.
import { createHmac, randomBytes } from 'node:crypto';
import { newSecret, signedHeaders, verify } from '../../webhooks/signing';
import { SecretBox } from '../../platform/secret-box';
import { guardedLookup, isBlockedAddress, urlRefusal } from '../../webhooks/ssrf';
import { planAction, render } from '../../api/modules/webhooks/mapping';
import { payloadOf, webhookTypesOf } from '../../webhooks/events';
import type { TicketEvent, TicketProjection } from '../../workflows/ticket-messages';

describe('signatures', () => {
  it('should sign like the Standard Webhooks reference: base64 HMAC-SHA256 of id.timestamp.body with the whsec_ key', () => {
    const secret = newSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    const body = '{"type":"ticket.created"}';
    const h = signedHeaders([secret], 'evt_1', body, 1_700_000_000_000);
    const expected = createHmac('sha256', Buffer.from(secret.slice(6), 'base64')).update(`evt_1.1700000000.${body}`).digest('base64');
    expect(h).toEqual({ 'webhook-id': 'evt_1', 'webhook-timestamp': '1700000000', 'webhook-signature': `v1,${expected}` });
  });

  it('should sign with both secrets during a rotation, each verifiable on its own', () => {
    const [oldS, newS] = [newSecret(), newSecret()];
    const h = signedHeaders([newS, oldS], 'evt_2', 'x');
    expect(h['webhook-signature'].split(' ')).toHaveLength(2);
    const hdr = { id: h['webhook-id'], timestamp: h['webhook-timestamp'], signature: h['webhook-signature'] };
    expect(verify(newS, hdr, 'x')).toBeNull();
    expect(verify(oldS, hdr, 'x')).toBeNull();
    expect(verify(newSecret(), hdr, 'x')).toBe('bad-signature');
    expect(verify(newS, hdr, 'y')).toBe('bad-signature');
  });

  it('should refuse a stale timestamp and missing headers', () => {
    const s = newSecret();
    const h = signedHeaders([s], 'evt_3', 'x', Date.now() - 3_600_000);
    expect(verify(s, { id: h['webhook-id'], timestamp: h['webhook-timestamp'], signature: h['webhook-signature'] }, 'x')).toBe('stale-timestamp');
    expect(verify(s, { id: 'a' }, 'x')).toBe('missing-headers');
  });
});

describe('secret sealing', () => {
  it('should encrypt with a key and read back, and refuse tampering', () => {
    const box = new SecretBox(randomBytes(32));
    const sealed = box.seal('whsec_abc');
    expect(sealed).toMatch(/^v1:/);
    expect(sealed).not.toContain('abc');
    expect(box.open(sealed)).toBe('whsec_abc');
    const parts = sealed.split(':');
    parts[3] = Buffer.from('whsec_abd').toString('base64');
    expect(() => box.open(parts.join(':'))).toThrow();
  });

  it('should store plainly without a key, and say so when a sealed secret meets no key', () => {
    const plain = new SecretBox(undefined);
    expect(plain.open(plain.seal('s'))).toBe('s');
    expect(() => plain.open(new SecretBox(randomBytes(32)).seal('s'))).toThrow(/WEBHOOK_SECRETS_KEY/);
  });
});

describe('SSRF rules', () => {
  it.each(['127.0.0.1', '10.1.2.3', '172.16.0.1', '192.168.1.1', '169.254.169.254', '100.100.100.200', '0.0.0.0', '224.0.0.1', '::1', '::', 'fe80::1', 'fd00:ec2::254', 'fc00::1', 'ff02::1', '::ffff:127.0.0.1', '::ffff:7f00:1', '::ffff:a9fe:a9fe',
    // IPv6 forms that embed a private IPv4: compatible, translated, 6to4, NAT64 (both prefixes) and Teredo's client.
    '::7f00:1', '::127.0.0.1', '::ffff:0:7f00:1', '::ffff:0:127.0.0.1', '2002:7f00:1::', '2002:a9fe:a9fe::1', '2002:c0a8:101::', '64:ff9b::7f00:1', '64:ff9b:1::a00:1', '2001:0:4136:e378:8000:63bf:80ff:fffe'])(
    'should block %s',
    (a) => expect(isBlockedAddress(a)).toBe(true),
  );
  it.each(['8.8.8.8', '1.1.1.1', '2606:4700:4700::1111', '93.184.216.34', '2002:808:808::1', '::ffff:8.8.8.8'])('should allow %s', (a) => expect(isBlockedAddress(a)).toBe(false));

  it('should refuse loopback and metadata URLs unless private networks are allowed', async () => {
    expect(await urlRefusal('http://127.0.0.1:9/x', false)).toMatch(/127\.0\.0\.1/);
    expect(await urlRefusal('http://[::1]:9/x', false)).toMatch(/::1/);
    expect(await urlRefusal('http://169.254.169.254/latest/meta-data', false)).toMatch(/metadata/);
    expect(await urlRefusal('http://localhost:9/x', false)).toMatch(/resolves to/);
    expect(await urlRefusal('http://127.0.0.1:9/x', true)).toBeNull();
    expect(await urlRefusal('ftp://example.org/', true)).toMatch(/http/);
    expect(await urlRefusal('http://user:pw@example.org/', true)).toMatch(/credentials/);
  });

  it('should refuse at connect time a name that resolves to loopback (what DNS rebinding would do)', async () => {
    const err = await new Promise<Error | null>((resolve) => guardedLookup(false)('localhost', {}, (e) => resolve(e)));
    expect(err?.message).toMatch(/blocked/);
    const ok = await new Promise<Error | null>((resolve) => guardedLookup(true)('localhost', {}, (e) => resolve(e)));
    expect(ok).toBeNull();
  });
});

describe('inbound mapping', () => {
  const mapping = {
    rules: [
      {
        when: [{ pointer: '/status', equals: 'firing' }],
        action: {
          type: 'create' as const,
          ticketType: 'incident' as const,
          title: '{{/commonLabels/alertname}} on {{/commonLabels/instance}}',
          priority: '{{/commonLabels/severity}}',
          priorityMap: { warning: 'medium' as const, page: 'critical' as const },
          externalRef: '{{/groupKey}}',
          fields: { category: 'network' },
        },
      },
      { when: [{ pointer: '/status', equals: 'resolved' }], action: { type: 'transition' as const, externalRef: '{{/groupKey}}', transition: 'resolve' } },
    ],
  };
  const alert = (status: string, severity = 'page') => ({ status, groupKey: 'g1', commonLabels: { alertname: 'DiskFull', instance: 'db1', severity } });

  it('should pick the first rule whose conditions hold and fill templates', () => {
    expect(planAction(mapping, alert('firing'))).toEqual({
      rule: 0,
      action: { type: 'create', ticketType: 'incident', title: 'DiskFull on db1', description: '', priority: 'critical', fields: { category: 'network' }, externalRef: 'g1' },
    });
    expect(planAction(mapping, alert('resolved')).action).toEqual({ type: 'transition', externalRef: 'g1', transition: 'resolve', fields: {} });
  });

  it('should fail clearly when no rule matches or a value is not a priority', () => {
    expect(() => planAction(mapping, alert('unknown'))).toThrow(/no rule/);
    expect(() => planAction(mapping, alert('firing', 'whatever'))).toThrow(/priorityMap/);
  });

  it('should keep a lone placeholder typed and read escaped pointers', () => {
    expect(render('{{/n}}', { n: 3 }, 'x')).toBe(3);
    expect(render('a {{/a~1b}} c', { 'a/b': 'B' }, 'x')).toBe('a B c');
    expect(() => render('{{/missing}}', {}, 'title')).toThrow(/nothing at/);
  });
});

describe('event types', () => {
  const row = (type: string, state = 'new', stateCategory = 'new') => ({ type, state, stateCategory }) as TicketProjection;
  const ev = (type: string, data: Record<string, unknown> = {}) => ({ seq: 1, type, data, visibility: 'public' }) as unknown as TicketEvent;
  it('should map maintenance work orders and resolved problems from ticket events', () => {
    expect(webhookTypesOf(ev('created'), row('maintenance'))).toEqual(['ticket.created', 'maintenance.work_order_created']);
    expect(webhookTypesOf(ev('sla_breached'), row('maintenance'))).toEqual(['ticket.sla_breached', 'maintenance.work_order_overdue']);
    expect(webhookTypesOf(ev('transitioned', { to: 'resolved' }), row('problem', 'resolved', 'resolved'))).toEqual(['ticket.transitioned', 'problem.resolved']);
    expect(webhookTypesOf(ev('fields_changed'), row('incident'))).toEqual([]);
    // A definition's emit action reaches subscribers under its own type, with the emitted name in the event data.
    const emitted = ev('event_emitted', { event: 'crm.sync_requested', escalation: 'vip_breach' });
    expect(webhookTypesOf(emitted, row('incident'))).toEqual(['ticket.event_emitted']);
    expect(payloadOf('ticket.event_emitted', emitted, row('incident')).data.event.data).toMatchObject({ event: 'crm.sync_requested' });
  });
});
