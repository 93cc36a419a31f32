// SLA policies of customer organisations: targets per priority and a calendar that replace a definition's own for the
// tickets of the organisations a policy names. Applied to the definition a ticket starts with (and to the one it is
// migrated to), so the ticket's workflow keeps them pinned like the rest of its definition. Pure.
import { addBusinessMinutes, hasBusinessHours, isValidTimeZone, ROUND_THE_CLOCK } from './calendar';
import type { CalendarDef, Priority, WorkflowDefinition } from './schema';

export interface SlaTargets {
  firstResponseMinutes?: number;
  resolutionMinutes?: number;
  warnAtPercent?: number;
}

export interface OrganisationSlaPolicy {
  id: string;
  name: string;
  /** Business hours the targets count in, or round the clock. */
  calendar: CalendarDef | typeof ROUND_THE_CLOCK;
  /** A priority left out keeps the definition's own targets and calendar. */
  targets: Partial<Record<Priority, SlaTargets>>;
}

/** The name the policy's calendar takes among the definition's calendars. */
export const POLICY_CALENDAR = 'organisation_policy';

/**
 * The definition with the policy's targets for each priority it names (and its calendar for those), leaving the rest of
 * the definition as it is. A priority change on the ticket then reads the same table, so its targets follow the
 * policy too.
 */
export function withSlaPolicy(def: WorkflowDefinition, policy: OrganisationSlaPolicy): WorkflowDefinition {
  const calendarName = policy.calendar === ROUND_THE_CLOCK ? ROUND_THE_CLOCK : POLICY_CALENDAR;
  const policies = { ...(def.sla?.policies ?? {}) } as NonNullable<NonNullable<WorkflowDefinition['sla']>['policies']>;
  for (const [priority, targets] of Object.entries(policy.targets) as Array<[Priority, SlaTargets]>) {
    policies[priority] = { calendar: calendarName, ...targets };
  }
  return {
    ...def,
    ...(policy.calendar === ROUND_THE_CLOCK ? {} : { calendars: { ...(def.calendars ?? {}), [POLICY_CALENDAR]: policy.calendar } }),
    sla: { ...(def.sla ?? {}), policies },
  };
}

/** A policy's calendar errors, each at its pointer below /calendar. */
export function slaCalendarErrors(calendar: OrganisationSlaPolicy['calendar']): Array<{ pointer: string; message: string }> {
  if (calendar === ROUND_THE_CLOCK) return [];
  const errors: Array<{ pointer: string; message: string }> = [];
  if (!isValidTimeZone(calendar.timeZone)) errors.push({ pointer: '/calendar/timeZone', message: `unknown time zone '${calendar.timeZone}'` });
  else if (!hasBusinessHours(calendar)) errors.push({ pointer: '/calendar/weekly', message: 'the calendar has no business hours' });
  for (const [day, windows] of Object.entries(calendar.weekly)) {
    ((windows ?? []) as Array<[string, string]>).forEach(([from, to], k) => {
      if (from >= to) errors.push({ pointer: `/calendar/weekly/${day}/${k}`, message: `window ${from}-${to} must end after it starts` });
    });
  }
  return errors;
}

export type ClockOutcome = 'none' | 'pending' | 'met' | 'breached';

/** What a ticket's record says of one clock, and when the thing it waits for happened (null: not yet). */
export interface PastClock {
  status: ClockOutcome;
  doneAt: number | null;
}

/**
 * How a past ticket's clock would have ended under a policy, from when it opened: its due time and outcome. Pauses
 * (waiting for the customer) are not counted back, so a dry run errs toward breaches; a priority the policy leaves
 * out, or a clock the policy sets no target for, keeps the ticket's own outcome.
 */
export function wouldHaveBeen(
  policy: Pick<OrganisationSlaPolicy, 'calendar' | 'targets'>,
  ticket: { createdAt: number; priority: Priority },
  clock: 'firstResponseMinutes' | 'resolutionMinutes',
  past: PastClock,
  now: number,
): { status: ClockOutcome; dueAt: number | null } {
  const minutes = policy.targets[ticket.priority]?.[clock];
  if (minutes === undefined) return { status: past.status, dueAt: null };
  const dueAt = addBusinessMinutes(ticket.createdAt, minutes, policy.calendar === ROUND_THE_CLOCK ? null : policy.calendar);
  const status: ClockOutcome = past.doneAt !== null ? (past.doneAt <= dueAt ? 'met' : 'breached') : now > dueAt ? 'breached' : 'pending';
  return { status, dueAt };
}
