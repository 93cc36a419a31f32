// Which form of a message a count takes, by the language's own rules (Intl.PluralRules): in French 0 and 1 take the
// singular ("0 ticket ouvert"), where vue-i18n's default would take the plural as English does.

const rules = new Map<string, Intl.PluralRules>();

/** vue-i18n plural rule for `locale`: messages give two forms (one | other) or three (zero | one | other). */
export function pluralRule(locale: string) {
  return (count: number, forms: number): number => {
    const n = Math.abs(count);
    if (forms === 3 && n === 0) return 0;
    const rule = rules.get(locale) ?? new Intl.PluralRules(locale);
    rules.set(locale, rule);
    const one = rule.select(n) === 'one' ? 0 : 1;
    return forms === 3 ? one + 1 : Math.min(one, forms - 1);
  };
}
