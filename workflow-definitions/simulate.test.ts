// The simulator: SLA warnings, breaches, pauses, escalations and automations on business hours, as the workflow would fire them.
import { DEFAULT_DEFINITIONS, simulate, zonedParts, type SimulationEntry, type WorkflowDefinition } from './index';

const incident = () => structuredClone(DEFAULT_DEFINITIONS.find((d) => d.key === 'incident')!) as WorkflowDefinition;

/** An incident whose high-priority policy is a 4 h resolution target on the 9–18 Mon–Fri Paris calendar. */
function fourHours(extra: Record<string, unknown> = {}): WorkflowDefinition {
  const def = incident() as WorkflowDefinition & { sla: { policies: Record<string, unknown> } };
  def.sla.policies.high = { calendar: 'business', resolutionMinutes: 240, ...extra };
  return def;
}

const paris = (iso: string | undefined) => {
  const p = zonedParts(Date.parse(iso!), 'Europe/Paris');
  const day = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'][new Date(Date.UTC(p.y, p.m - 1, p.d)).getUTCDay()];
  return `${day} ${String(p.hh).padStart(2, '0')}:${String(p.mm).padStart(2, '0')}`;
};
const of = (entries: SimulationEntry[], kind: SimulationEntry['kind']) => entries.filter((e) => e.kind === kind);

// Friday 27 November 2026, 17:00 in Paris (UTC+1).
const FRIDAY_17 = '2026-11-27T16:00:00.000Z';

describe('simulate', () => {
  it('should breach a 4-hour target created Friday 17:00 on Monday 12:00 Paris time, warning at 80 % on Monday 11:12', () => {
    const result = simulate({ definition: fourHours(), priority: 'high', createdAt: FRIDAY_17, steps: [] });
    const breach = of(result.entries, 'sla_breached');
    expect(breach).toHaveLength(1);
    expect(paris(breach[0].at)).toBe('mon 12:00');
    expect(breach[0].deadline).toBe(breach[0].at);
    expect(paris(of(result.entries, 'sla_warning')[0].at)).toBe('mon 11:12');
  });

  it('should fire the breach escalation once and retarget the clock to the raised priority', () => {
    const result = simulate({ definition: fourHours(), priority: 'high', createdAt: FRIDAY_17, steps: [] });
    expect(of(result.entries, 'escalated').map((e) => e.escalation)).toEqual(['unassigned', 'resolution_warning', 'resolution_breach']);
    expect(of(result.entries, 'priority_changed').map((e) => e.priority)).toEqual(['critical']);
    expect(result.clocks.find((c) => c.name === 'resolution')?.status).toBe('breached');
  });

  it('should count the unassigned escalation in wall-clock minutes from creation', () => {
    const result = simulate({ definition: fourHours(), priority: 'high', createdAt: FRIDAY_17, steps: [] });
    expect(paris(of(result.entries, 'escalated')[0].at)).toBe('fri 17:30');
  });

  it('should not fire the unassigned escalation when the ticket is assigned in time', () => {
    const result = simulate({ definition: fourHours(), priority: 'high', createdAt: FRIDAY_17, steps: [{ kind: 'wait', minutes: 10 }, { kind: 'assign', assigned: true }] });
    expect(of(result.entries, 'escalated').map((e) => e.escalation)).not.toContain('unassigned');
  });

  it('should hold the clock while in a paused state and push the breach by the business time spent there', () => {
    const result = simulate({
      definition: fourHours(),
      priority: 'high',
      createdAt: FRIDAY_17,
      steps: [
        { kind: 'transition', transition: 'wait_for_customer', fields: { pending_reason: 'logs needed' }, at: '2026-11-30T08:00:00.000Z' }, // Monday 09:00 Paris, 1 h consumed
        { kind: 'transition', transition: 'customer_replied', role: 'customer', at: '2026-11-30T10:00:00.000Z' }, // Monday 11:00
      ],
    });
    expect(of(result.entries, 'transitioned').map((e) => e.transition)).toEqual(['wait_for_customer', 'customer_replied']);
    expect(paris(of(result.entries, 'sla_breached')[0].at)).toBe('mon 14:00');
  });

  it('should stop the clocks on resolution so nothing breaches afterwards', () => {
    const result = simulate({
      definition: fourHours(),
      priority: 'high',
      createdAt: FRIDAY_17,
      steps: [{ kind: 'wait', minutes: 20 }, { kind: 'transition', transition: 'resolve', fields: { resolution: 'rebooted' } }],
    });
    expect(of(result.entries, 'sla_breached')).toHaveLength(0);
    expect(result.state).toBe('closed');
    // auto_close: 27 business hours from Friday 17:20 = 40 min Friday + 9 h Monday + 9 h Tuesday + 8 h 20 Wednesday.
    const closing = of(result.entries, 'transitioned').find((e) => e.automation === 'auto_close');
    expect(paris(closing?.at)).toBe('wed 17:20');
  });

  it('should take customer_replied when the customer answers a ticket waiting on them, as a running ticket does', () => {
    const result = simulate({
      definition: fourHours(),
      priority: 'high',
      createdAt: FRIDAY_17,
      steps: [
        { kind: 'transition', transition: 'wait_for_customer', fields: { pending_reason: 'logs needed' }, at: '2026-11-30T08:00:00.000Z' }, // Monday 09:00 Paris
        { kind: 'comment', role: 'customer', at: '2026-11-30T10:00:00.000Z' }, // Monday 11:00: the reply, not a transition
      ],
    });
    const resumed = of(result.entries, 'transitioned').find((e) => e.transition === 'customer_replied');
    expect(paris(resumed?.at)).toBe('mon 11:00');
    expect(resumed?.state).toBe('in_progress');
    // The clock waited two hours with the ticket: the breach moves from Monday 12:00 to 14:00, as when the transition is scripted.
    expect(paris(of(result.entries, 'sla_breached')[0].at)).toBe('mon 14:00');
  });

  it('should report a transition the script cannot take and go on', () => {
    const result = simulate({ definition: fourHours(), priority: 'high', createdAt: FRIDAY_17, steps: [{ kind: 'transition', transition: 'close' }] });
    expect(of(result.entries, 'refused')[0].message).toMatch(/not allowed from state 'new'/);
    expect(of(result.entries, 'sla_breached')).toHaveLength(1);
  });

  it('should count the SLA on the calendar picked for the simulation instead of the policy’s', () => {
    const result = simulate({ definition: fourHours(), priority: 'high', createdAt: FRIDAY_17, calendar: '24x7', steps: [] });
    expect(paris(of(result.entries, 'sla_breached')[0].at)).toBe('fri 21:00');
  });

  it('should fire the first-response breach unless an agent answers publicly first', () => {
    const def = fourHours({ firstResponseMinutes: 60 });
    const silent = simulate({ definition: def, priority: 'high', createdAt: FRIDAY_17, steps: [] });
    expect(of(silent.entries, 'sla_breached').map((e) => [e.clock, paris(e.at)])).toEqual([['firstResponse', 'fri 18:00'], ['resolution', 'mon 12:00']]);
    const answered = simulate({ definition: def, priority: 'high', createdAt: FRIDAY_17, steps: [{ kind: 'wait', minutes: 5 }, { kind: 'comment' }] });
    expect(of(answered.entries, 'sla_breached').map((e) => e.clock)).toEqual(['resolution']);
  });
});

describe('approvals in the simulator', () => {
  it("should play an approval's reminder and deadline with a stand-in approver who never decides", () => {
    const def = structuredClone(DEFAULT_DEFINITIONS.find((d) => d.key === 'service_request')!) as any;
    for (const t of def.transitions) if (t.name === 'approve' || t.name === 'reject') t.roles.push('system');
    def.states.find((s: any) => s.name === 'awaiting_approval').approval = {
      approvers: { manager: true },
      policy: 'any',
      approved: { transition: 'approve', commentField: 'approval_note' },
      rejected: { transition: 'reject', commentField: 'rejection_reason' },
      timeoutMinutes: 120,
      remindBeforeMinutes: 30,
      onTimeout: 'reject',
    };
    const result = simulate({ definition: def, priority: 'medium', createdAt: '2026-12-07T09:00:00Z', steps: [{ kind: 'transition', transition: 'request_approval' }], horizonMinutes: 300 });
    const shown = result.entries.map((e) => [e.kind, e.at, e.transition ?? e.automation ?? null]);
    expect(shown).toEqual(
      expect.arrayContaining([
        ['reminder', '2026-12-07T10:30:00.000Z', 'approval reminder'],
        ['transitioned', '2026-12-07T11:00:00.000Z', 'reject'],
      ]),
    );
    expect(result.state).toBe('rejected');
  });
});
