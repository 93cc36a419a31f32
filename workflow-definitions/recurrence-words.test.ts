import { describeRRule, fromSimple, toSimple, type SimpleRule } from './recurrence-words';

describe('recurrence rules in words', () => {
  it.each([
    ['FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH', 'Every 2 weeks on Monday and Thursday', 'Toutes les 2 semaines le lundi et le jeudi'],
    ['FREQ=DAILY', 'Every day', 'Tous les jours'],
    ['FREQ=MONTHLY;BYDAY=1MO', 'Every month on the first Monday', 'Tous les mois le premier lundi'],
    ['FREQ=MONTHLY;BYDAY=-1FR;COUNT=6', 'Every month on the last Friday, 6 times', 'Tous les mois le dernier vendredi, 6 fois'],
    ['FREQ=MONTHLY;INTERVAL=3;BYMONTHDAY=15;UNTIL=20271231', 'Every 3 months on day 15, until December 31, 2027', "Tous les 3 mois le 15, jusqu'au 31 décembre 2027"],
    ['FREQ=YEARLY;BYMONTH=3,9;BYMONTHDAY=1', 'Every year on day 1 in March and September', 'Tous les ans le 1er en mars et septembre'],
    ['FREQ=WEEKLY;BYDAY=MO,TU,WE', 'Every week on Monday, Tuesday and Wednesday', 'Toutes les semaines le lundi, le mardi et le mercredi'],
  ])('should say %s', (rule, en, fr) => {
    expect(describeRRule(rule, 'en')).toBe(en);
    expect(describeRRule(rule, 'fr')).toBe(fr);
  });

  it('should refuse to describe a rule the desk refuses', () => {
    expect(() => describeRRule('FREQ=HOURLY', 'en')).toThrow();
  });

  it('should turn the rules a form can build into text and back unchanged', () => {
    const rules: SimpleRule[] = [
      { freq: 'DAILY', interval: 3, weekdays: [], monthDay: null, nth: null, count: null, until: null },
      { freq: 'WEEKLY', interval: 2, weekdays: [1, 4], monthDay: null, nth: null, count: 10, until: null },
      { freq: 'MONTHLY', interval: 1, weekdays: [], monthDay: 15, nth: null, count: null, until: '2027-12-31' },
      { freq: 'MONTHLY', interval: 1, weekdays: [], monthDay: null, nth: { ordinal: -1, weekday: 5 }, count: null, until: null },
      { freq: 'YEARLY', interval: 1, weekdays: [], monthDay: null, nth: null, count: null, until: null },
    ];
    for (const rule of rules) expect(toSimple(fromSimple(rule))).toEqual(rule);
    expect(fromSimple(rules[1]!)).toBe('FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH;COUNT=10');
  });

  it('should leave to the raw text what the form cannot express, and invalid text', () => {
    expect(toSimple('FREQ=YEARLY;BYMONTH=3,9;BYMONTHDAY=1')).toBeNull();
    expect(toSimple('FREQ=MONTHLY;BYDAY=MO,TU')).toBeNull();
    expect(toSimple('FREQ=WEEKLY;BYDAY=1MO')).toBeNull();
    expect(toSimple('not a rule')).toBeNull();
  });
});
