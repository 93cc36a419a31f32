// An organisation's SLA policy over a definition: the priorities it names take its targets and calendar, the rest keep
// the definition's, and the result is still a valid definition.
import { DEFAULT_DEFINITIONS } from './defaults/index';
import { POLICY_CALENDAR, slaCalendarErrors, withSlaPolicy } from './sla-policy';
import { validateDefinition } from './validate';

const incident = DEFAULT_DEFINITIONS.find((d) => d.key === 'incident')!;

describe('SLA policy of an organisation', () => {
  it('should replace the targets of the priorities it names, with its calendar, and keep the others', () => {
    const calendar = { timeZone: 'America/New_York', weekly: { mon: [['08:00', '20:00']] as Array<[string, string]> }, holidays: ['2027-07-05'] };
    const def = withSlaPolicy(incident, { id: 'p', name: 'Gold', calendar, targets: { high: { firstResponseMinutes: 10, resolutionMinutes: 60 } } });
    expect(def.sla?.policies?.high).toEqual({ calendar: POLICY_CALENDAR, firstResponseMinutes: 10, resolutionMinutes: 60 });
    expect(def.sla?.policies?.low).toEqual(incident.sla?.policies?.low);
    expect(def.calendars?.[POLICY_CALENDAR]).toEqual(calendar);
    expect(def.calendars?.business).toEqual(incident.calendars?.business);
    expect(validateDefinition(def).errors).toEqual([]);
    // The definition it was given is left as it was.
    expect(incident.calendars?.[POLICY_CALENDAR]).toBeUndefined();
  });

  it('should count round the clock without adding a calendar', () => {
    const def = withSlaPolicy(incident, { id: 'p', name: '24/7', calendar: '24x7', targets: { critical: { resolutionMinutes: 30 } } });
    expect(def.sla?.policies?.critical).toEqual({ calendar: '24x7', resolutionMinutes: 30 });
    expect(def.calendars).toEqual(incident.calendars);
    expect(validateDefinition(def).errors).toEqual([]);
  });

  it('should name what is wrong with a calendar', () => {
    expect(slaCalendarErrors({ timeZone: 'Mars/Olympus', weekly: { mon: [['09:00', '17:00']] } }).map((e) => e.pointer)).toEqual(['/calendar/timeZone']);
    expect(slaCalendarErrors({ timeZone: 'Europe/Paris', weekly: { tue: [['18:00', '09:00']] } }).map((e) => e.pointer)).toEqual(['/calendar/weekly', '/calendar/weekly/tue/0']);
    expect(slaCalendarErrors('24x7')).toEqual([]);
  });
});
