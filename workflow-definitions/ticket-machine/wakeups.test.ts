// A new ticket's wake-ups: the instants its workflow fires timers at if nobody touches it, as the simulator finds them.
import { DEFAULT_DEFINITIONS, PRIORITIES, simulate, untouchedWakeups, type WorkflowDefinition } from '../index';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
const intake = (priority: (typeof PRIORITIES)[number]) => ({ priority, queue: null, fields: {}, title: 'printer jam', description: '' });
// Monday 7 December 2026, 11:00 in Paris: inside the business calendar.
const MONDAY = Date.parse('2026-12-07T10:00:00.000Z');

describe('untouchedWakeups', () => {
  it('should wake a critical incident at its first-response warning and breach, its unassigned escalation, and its resolution warning and breach', () => {
    const incident = DEFAULT_DEFINITIONS.find((d) => d.key === 'incident') as WorkflowDefinition;
    const at = untouchedWakeups(incident, intake('critical'), MONDAY, DAY).map((t) => (t - MONDAY) / MINUTE);
    expect(at).toEqual([11.25, 15, 30, 180, 240]);
  });

  it('should leave out what falls after the horizon, and count instants where several timers fall due once', () => {
    const incident = structuredClone(DEFAULT_DEFINITIONS.find((d) => d.key === 'incident')) as WorkflowDefinition & { sla: { policies: Record<string, unknown> } };
    // First response and resolution both due at 20 min, warnings at 10 min: two instants, not four.
    incident.sla.policies.critical = { calendar: '24x7', firstResponseMinutes: 20, resolutionMinutes: 20, warnAtPercent: 50 };
    incident.escalations = [];
    expect(untouchedWakeups(incident, intake('critical'), MONDAY, DAY).map((t) => (t - MONDAY) / MINUTE)).toEqual([10, 20]);
    expect(untouchedWakeups(incident, intake('critical'), MONDAY, 15 * MINUTE).map((t) => (t - MONDAY) / MINUTE)).toEqual([10]);
  });

  it('should find, for every default definition and priority, the instants the simulator fires at', () => {
    for (const definition of DEFAULT_DEFINITIONS as WorkflowDefinition[]) {
      for (const priority of PRIORITIES) {
        const simulated = simulate({ definition, priority, createdAt: new Date(MONDAY).toISOString(), steps: [], horizonMinutes: DAY / MINUTE });
        const instants = [...new Set(simulated.entries.filter((e) => e.kind !== 'created').map((e) => Date.parse(e.at)))].filter((t) => t <= MONDAY + DAY);
        expect({ definition: definition.key, priority, at: untouchedWakeups(definition, intake(priority), MONDAY, DAY) }).toEqual({ definition: definition.key, priority, at: instants });
      }
    }
  });

  it('should play out an approval round the first state opens, its reminder and deadline, and what its timeout decides', () => {
    const request = structuredClone(DEFAULT_DEFINITIONS.find((d) => d.key === 'service_request')) as any;
    for (const t of request.transitions) if (t.name === 'start' || t.name === 'reject') t.roles.push('system');
    request.states.find((s: any) => s.name === 'submitted').approval = {
      approvers: { manager: true },
      policy: 'any',
      approved: { transition: 'start' },
      rejected: { transition: 'reject', commentField: 'rejection_reason' },
      timeoutMinutes: 120,
      remindBeforeMinutes: 30,
      onTimeout: 'reject',
    };
    const definition = request as WorkflowDefinition;
    const at = untouchedWakeups(definition, intake('medium'), MONDAY, DAY);
    // The reminder 90 minutes in, the deadline at 120 that rejects the request (closed: no timer after it).
    expect(at.map((t) => (t - MONDAY) / MINUTE)).toEqual(expect.arrayContaining([90, 120]));
    expect(Math.max(...at)).toBe(MONDAY + 120 * MINUTE);
    const simulated = simulate({ definition, priority: 'medium', createdAt: new Date(MONDAY).toISOString(), steps: [], horizonMinutes: DAY / MINUTE });
    expect(simulated.state).toBe('rejected');
    expect(at).toEqual([...new Set(simulated.entries.filter((e) => e.kind !== 'created').map((e) => Date.parse(e.at)))]);
  });

  it('should count the timers of the state a ticket moves to as it opens, not those of its first state', () => {
    const incident = DEFAULT_DEFINITIONS.find((d) => d.key === 'incident') as WorkflowDefinition;
    const agent = { id: 'agent-1', role: 'agent' as const };
    // Resolved at once: no clock runs, nobody waits to be assigned.
    expect(untouchedWakeups(incident, intake('critical'), MONDAY, DAY, { kind: 'transition', transition: 'resolve', fields: { resolution: 'restarted the spooler' }, actor: agent })).toEqual([]);
    // A transition the opener may not take changes nothing: the ticket opens in its first state.
    const refused = untouchedWakeups(incident, intake('critical'), MONDAY, DAY, { kind: 'transition', transition: 'close', fields: {}, actor: agent });
    expect(refused.map((t) => (t - MONDAY) / MINUTE)).toEqual([11.25, 15, 30, 180, 240]);
  });
});
