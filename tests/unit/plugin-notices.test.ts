// The plug-in API's helpers for notifiers: which ticket events make a notice (and its detail), and what a chat button asks.
import { ticketButtonAction, ticketNotices, type PluginTicketBatch } from '../../platform/plugins/v1';

const event = (seq: number, eventTypes: string[], data: Record<string, unknown> = {}): PluginTicketBatch['events'][number] => ({
  id: `t1:${seq}`,
  seq,
  type: 'x',
  eventTypes,
  visibility: 'internal',
  at: '2026-12-06T09:00:00.000Z',
  actor: { id: null, role: 'system' },
  data,
});

it('should give the created, escalated and breached events in order, with their detail, for the wanted reasons only', () => {
  const events = [
    event(1, ['ticket.created']),
    event(2, ['ticket.commented']),
    event(3, ['ticket.escalated'], { escalation: 'Page the on-call' }),
    event(4, ['ticket.escalated'], { name: 'By name' }),
    event(5, ['ticket.sla_breached'], { clock: 'resolution' }),
  ];
  expect(ticketNotices(events).map(({ event: e, reason, detail }) => [e.seq, reason, detail])).toEqual([
    [1, 'created', null],
    [3, 'escalated', 'Page the on-call'],
    [4, 'escalated', 'By name'],
    [5, 'breached', 'resolution'],
  ]);
  expect(ticketNotices(events, ['breached']).map((n) => n.event.seq)).toEqual([5]);
  expect(ticketNotices(events, [])).toEqual([]);
});

it("should map the buttons to take or the admin's transitions, defaulting to start and resolve", () => {
  expect(ticketButtonAction('take', {}, 'Done.')).toEqual({ action: 'take' });
  expect(ticketButtonAction('acknowledge', {}, 'Done.')).toEqual({ action: 'transition', transition: 'start' });
  expect(ticketButtonAction('resolve', {}, 'Done.')).toEqual({ action: 'transition', transition: 'resolve', fields: { resolution: 'Done.' } });
  const chosen = { acknowledgeTransition: 'ack', resolveTransition: 'close', resolveFields: { code: 'fixed' } };
  expect(ticketButtonAction('acknowledge', chosen, 'Done.')).toEqual({ action: 'transition', transition: 'ack' });
  expect(ticketButtonAction('resolve', chosen, 'Done.')).toEqual({ action: 'transition', transition: 'close', fields: { code: 'fixed' } });
});
