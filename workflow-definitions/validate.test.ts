// The definition validator: the defaults pass; each kind of mistake is refused with a JSON pointer; random edits never slip through unexplained.
import fc from 'fast-check';
import { DEFAULT_DEFINITIONS, validateDefinition, type WorkflowDefinition } from './index';

const incident = () => structuredClone(DEFAULT_DEFINITIONS.find((d) => d.key === 'incident')!) as any;

describe('validateDefinition', () => {
  it.each(DEFAULT_DEFINITIONS.map((d) => [d.key, d]))('should accept the default %s definition', (_key, def) => {
    expect(validateDefinition(def)).toEqual({ valid: true, definition: def, errors: [] });
  });

  it.each([
    ['an unknown transition target', (d: any) => (d.transitions[0].to = 'nowhere'), '/transitions/0/to', "unknown state 'nowhere'"],
    ['an unreachable state', (d: any) => d.states.push({ name: 'limbo', category: 'open', label: { en: 'Limbo', fr: 'Limbes' } }), '/states/5', 'unreachable'],
    ['two initial states', (d: any) => (d.states[1].initial = true), '/states', 'exactly one initial state'],
    ['an unknown calendar', (d: any) => (d.sla.policies.high.calendar = 'moon'), '/sla/policies/high/calendar', "unknown calendar 'moon'"],
    ['an unknown role', (d: any) => (d.transitions[0].roles = ['wizard']), '/transitions/0/roles/0', 'must be equal to one of the allowed values'],
    ['a bad time zone', (d: any) => (d.calendars.business.timeZone = 'Mars/Olympus'), '/calendars/business/timeZone', 'unknown time zone'],
    ['a leaving transition from a closed state', (d: any) => d.transitions.push({ name: 'zombie', label: { en: 'Z', fr: 'Z' }, from: ['closed'], to: 'new', roles: ['agent'] }), '/transitions/8/from/0', 'closed state'],
    ['an unknown required field', (d: any) => (d.transitions[0].requiredFields = ['ghost']), '/transitions/0/requiredFields/0', "unknown field 'ghost'"],
    ['an unknown property', (d: any) => (d.colour = 'blue'), '/', "unknown property 'colour'"],
    ['an automation transition the system may not take', (d: any) => (d.automations[0].transition = 'start'), '/automations/0/transition', 'cannot be taken'],
    ['a window ending before it starts', (d: any) => (d.calendars.business.weekly.mon = [['18:00', '09:00']]), '/calendars/business/weekly/mon/0', 'must end after'],
  ])('should refuse %s with its pointer', (_what, mutate, pointer, message) => {
    const def = incident();
    mutate(def);
    const result = validateDefinition(def);
    expect(result.valid).toBe(false);
    expect(result.errors).toEqual(expect.arrayContaining([expect.objectContaining({ pointer, message: expect.stringContaining(message) })]));
  });

  it('should either accept a randomly edited definition or explain every refusal with a pointer', () => {
    const paths = (o: unknown, prefix: string[] = []): string[][] =>
      o && typeof o === 'object' ? Object.entries(o).flatMap(([k, v]) => [[...prefix, k], ...paths(v, [...prefix, k])]) : [];
    const base = incident();
    const all = paths(base);
    fc.assert(
      fc.property(fc.constantFrom(...all), fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.constant(null), fc.constant([]), fc.constant({})), (path, value) => {
        const def = structuredClone(base);
        let target = def;
        for (const k of path.slice(0, -1)) target = target[k];
        target[path[path.length - 1]] = value;
        const result = validateDefinition(def as WorkflowDefinition);
        if (!result.valid) {
          expect(result.errors.length).toBeGreaterThan(0);
          for (const e of result.errors) {
            expect(e.pointer).toMatch(/^\//);
            expect(e.message.length).toBeGreaterThan(0);
          }
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe('approvals', () => {
  /** The shipped service request with its approval state asking the requester's manager. */
  const request = (approval: Record<string, unknown> = {}) => {
    const d = structuredClone(DEFAULT_DEFINITIONS.find((x) => x.key === 'service_request')!) as any;
    for (const t of d.transitions) if (t.name === 'approve' || t.name === 'reject') t.roles.push('system');
    const i = d.states.findIndex((s: any) => s.name === 'awaiting_approval');
    d.states[i].approval = { approvers: { manager: true }, policy: 'any', approved: { transition: 'approve', commentField: 'approval_note' }, rejected: { transition: 'reject', commentField: 'rejection_reason' }, ...approval };
    return { d, at: `/states/${i}/approval` };
  };

  it('should accept a well-formed approval', () => {
    expect(validateDefinition(request({ policy: 'atLeast', count: 2, timeoutMinutes: 600, remindBeforeMinutes: 60, onTimeout: 'escalate', escalate: [{ type: 'notify', role: 'admin' }] }).d).valid).toBe(true);
  });

  it.each([
    ['an outcome transition from another state', { approved: { transition: 'fulfil' } }, '/approved/transition', "cannot be taken from 'awaiting_approval'"],
    ['an outcome needing a field the desk does not fill', { approved: { transition: 'approve' } }, '/approved', 'requires approval_note'],
    ['atLeast without a count', { policy: 'atLeast' }, '/count', 'needs a count'],
    ['a reminder after the timeout', { timeoutMinutes: 60, remindBeforeMinutes: 90 }, '/remindBeforeMinutes', 'before the timeout'],
    ['onTimeout without a timeout', { onTimeout: 'approve' }, '/onTimeout', 'needs timeoutMinutes'],
    ['escalation actions when the timeout decides', { timeoutMinutes: 60, onTimeout: 'reject', escalate: [{ type: 'raisePriority' }] }, '/escalate', "onTimeout 'escalate'"],
  ])('should refuse %s at its element', (_what, approval, pointer, message) => {
    const { d, at } = request(approval);
    const result = validateDefinition(d);
    expect(result.errors).toEqual(expect.arrayContaining([expect.objectContaining({ pointer: `${at}${pointer}`, message: expect.stringContaining(message) })]));
  });

  it('should refuse an outcome transition the system may not take', () => {
    const { d, at } = request();
    d.transitions.find((t: any) => t.name === 'reject').roles = ['agent'];
    expect(validateDefinition(d).errors).toEqual(expect.arrayContaining([expect.objectContaining({ pointer: `${at}/rejected/transition`, message: expect.stringContaining("role 'system'") })]));
  });
});
