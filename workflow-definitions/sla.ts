// SLA clocks as plain data with pure transitions (start, pause, resume, stop, retarget) and their deadlines on business hours.
import { addBusinessMs, businessMsBetween, ROUND_THE_CLOCK } from './calendar';
import type { CalendarDef, Priority, SlaPolicy, WorkflowDefinition } from './schema';

export type ClockName = 'firstResponse' | 'resolution';
export const CLOCK_NAMES: readonly ClockName[] = ['firstResponse', 'resolution'];
export type SlaStatus = 'ok' | 'warning' | 'breached';

export interface SlaClock {
  name: ClockName;
  calendar: string;
  budgetMs: number;
  warnMs: number;
  /** Business time consumed before `runningSince`. */
  elapsedMs: number;
  runningSince: number | null;
  stoppedAt: number | null;
}

export interface SlaClockView {
  name: ClockName;
  status: SlaStatus;
  /** When it breaches (ISO), or null while paused or stopped. */
  target: string | null;
  warningAt: string | null;
  /** Wall-clock ms left before the breach while running; business ms left while paused. Negative once breached. */
  remainingMs: number;
  paused: boolean;
  stopped: boolean;
  budgetMinutes: number;
}

const DEFAULT_WARN_PERCENT = 80;

export function policyFor(def: WorkflowDefinition, priority: Priority): SlaPolicy | undefined {
  return (def.sla?.policies as Record<string, SlaPolicy> | undefined)?.[priority];
}

export function calendarOf(def: WorkflowDefinition, name: string): CalendarDef | null {
  if (name === ROUND_THE_CLOCK) return null;
  const cal = def.calendars?.[name];
  if (!cal) throw new Error(`unknown calendar '${name}'`);
  return cal;
}

function budgetOf(policy: SlaPolicy, name: ClockName): number | undefined {
  const minutes = name === 'firstResponse' ? policy.firstResponseMinutes : policy.resolutionMinutes;
  return minutes === undefined ? undefined : minutes * 60_000;
}

/** The clocks a new ticket of this priority starts with (none when the definition has no policy for it). */
export function startClocks(def: WorkflowDefinition, priority: Priority, now: number, running: boolean): SlaClock[] {
  const policy = policyFor(def, priority);
  if (!policy) return [];
  const clocks: SlaClock[] = [];
  for (const name of CLOCK_NAMES) {
    const budgetMs = budgetOf(policy, name);
    if (budgetMs === undefined) continue;
    clocks.push({
      name,
      calendar: policy.calendar,
      budgetMs,
      warnMs: Math.floor((budgetMs * (policy.warnAtPercent ?? DEFAULT_WARN_PERCENT)) / 100),
      elapsedMs: 0,
      runningSince: running ? now : null,
      stoppedAt: null,
    });
  }
  return clocks;
}

export function consumedMs(clock: SlaClock, now: number, cal: CalendarDef | null): number {
  return clock.elapsedMs + (clock.runningSince === null ? 0 : businessMsBetween(clock.runningSince, now, cal));
}

export function pauseClock(clock: SlaClock, now: number, cal: CalendarDef | null): SlaClock {
  if (clock.runningSince === null) return clock;
  return { ...clock, elapsedMs: consumedMs(clock, now, cal), runningSince: null };
}

export function resumeClock(clock: SlaClock, now: number): SlaClock {
  if (clock.runningSince !== null || clock.stoppedAt !== null) return clock;
  return { ...clock, runningSince: now };
}

export function stopClock(clock: SlaClock, now: number, cal: CalendarDef | null): SlaClock {
  if (clock.stoppedAt !== null) return clock;
  return { ...pauseClock(clock, now, cal), stoppedAt: now };
}

/** A stopped resolution clock runs again on reopen, keeping the time already consumed. */
export function restartClock(clock: SlaClock, now: number): SlaClock {
  return { ...clock, stoppedAt: null, runningSince: now };
}

/** New targets after a priority change; time already consumed is kept. */
export function retargetClock(clock: SlaClock, def: WorkflowDefinition, priority: Priority, now: number, cal: CalendarDef | null): SlaClock {
  const policy = policyFor(def, priority);
  const budgetMs = policy && budgetOf(policy, clock.name);
  if (!policy || budgetMs === undefined) return clock;
  const base = clock.runningSince === null ? clock : { ...pauseClock(clock, now, cal), runningSince: now };
  return {
    ...base,
    calendar: policy.calendar,
    budgetMs,
    warnMs: Math.floor((budgetMs * (policy.warnAtPercent ?? DEFAULT_WARN_PERCENT)) / 100),
  };
}

/** The instants at which a running clock warns and breaches; null while paused or stopped. */
export function clockDeadlines(clock: SlaClock, cal: CalendarDef | null): { warningAt: number; breachAt: number } | null {
  if (clock.runningSince === null || clock.stoppedAt !== null) return null;
  return {
    warningAt: addBusinessMs(clock.runningSince, clock.warnMs - clock.elapsedMs, cal),
    breachAt: addBusinessMs(clock.runningSince, clock.budgetMs - clock.elapsedMs, cal),
  };
}

export function clockStatus(clock: SlaClock, now: number, cal: CalendarDef | null): SlaStatus {
  const at = clock.stoppedAt ?? now;
  const consumed = consumedMs(clock, at, cal);
  if (consumed >= clock.budgetMs) return 'breached';
  if (consumed >= clock.warnMs) return 'warning';
  return 'ok';
}

export function viewClock(clock: SlaClock, now: number, cal: CalendarDef | null): SlaClockView {
  const deadlines = clockDeadlines(clock, cal);
  return {
    name: clock.name,
    status: clockStatus(clock, now, cal),
    target: deadlines ? new Date(deadlines.breachAt).toISOString() : null,
    warningAt: deadlines ? new Date(deadlines.warningAt).toISOString() : null,
    remainingMs: deadlines ? deadlines.breachAt - now : clock.budgetMs - consumedMs(clock, clock.stoppedAt ?? now, cal),
    paused: clock.runningSince === null && clock.stoppedAt === null,
    stopped: clock.stoppedAt !== null,
    budgetMinutes: clock.budgetMs / 60_000,
  };
}
