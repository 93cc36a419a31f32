// Which inbound messages count as automatic, and which part of a reply is new text.
import { automaticReason, trimQuotedReply } from './inbound-rules';
import { REPLY_MARKER } from '../../../mail/addresses';

const own = ['support@desk.test'];
const headers = (h: Record<string, string>) => (name: string) => h[name];
const check = (h: Record<string, string>, sender = 'a@example.test', envelopeFrom: string | false = 'a@example.test') => automaticReason(headers(h), sender, envelopeFrom, own, 'desk.test');

it('should treat auto-replies, lists, bulk mail, bounces and our own mail as automatic', () => {
  expect(check({ 'auto-submitted': 'auto-replied' })).toMatch(/auto-submitted/);
  expect(check({ 'auto-submitted': 'auto-generated' })).toMatch(/auto-submitted/);
  expect(check({ 'x-autoreply': 'yes' })).toBe('x-autoreply');
  expect(check({ 'x-autorespond': 'on' })).toBe('x-autorespond');
  for (const p of ['bulk', 'auto_reply', 'junk', 'list', 'Bulk']) expect(check({ precedence: p })).toMatch(/precedence/);
  expect(check({ 'list-id': '<news.example.test>' })).toBe('list-id');
  expect(check({}, 'a@example.test', '')).toMatch(/bounce/);
  expect(check({}, 'MAILER-DAEMON@example.test')).toMatch(/bounce/);
  expect(check({}, 'support@desk.test')).toBe('our own address');
  expect(check({}, 'support+abcdefghijklmnopqrst@desk.test')).toBe('our own reply address');
});

it('should let ordinary mail through, including Auto-Submitted: no', () => {
  expect(check({})).toBeUndefined();
  expect(check({ 'auto-submitted': 'no' })).toBeUndefined();
  expect(check({ precedence: 'first-class' })).toBeUndefined();
});

it('should keep only the new text of a reply', () => {
  expect(trimQuotedReply(`Thanks, fixed.\n\nOn Tue, 24 Nov 2026 at 10:00, Desk <support@desk.test> wrote:\n> old`)).toBe('Thanks, fixed.');
  expect(trimQuotedReply(`Merci !\n\nLe mar. 24 nov. 2026 à 10:00, Desk <support@desk.test> a écrit :\n> ancien`)).toBe('Merci !');
  expect(trimQuotedReply(`Done\nOn Tue, 24 Nov 2026 at 10:00, Desk <support@desk.test>\nwrote:\n> old`)).toBe('Done');
  expect(trimQuotedReply(`Yes.\n-----Original Message-----\nFrom: Desk`)).toBe('Yes.');
  expect(trimQuotedReply(`Yes.\n\n${REPLY_MARKER}\nHello`)).toBe('Yes.');
  expect(trimQuotedReply('Line one\nline two\n-- \nCasey, ACME')).toBe('Line one\nline two');
  // A reply that is only a quote keeps its text rather than becoming empty.
  expect(trimQuotedReply('> only a quote')).toBe('> only a quote');
});
