// Catalogue forms: the layout rules, the answers' tidying and visibility, and the one compiled check the server runs
// and ships to the browser as an ES module (imported here from a file, as the console imports it from the API).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { answerErrors, layoutErrors, summaryLines, summaryText, tidyAnswers, visibleFields, type FormLayout } from '../../../workflow-definitions/index';
import { compileForm, type AnswersCheck } from './form-check';

const en = (s: string) => ({ en: s, fr: `${s} (fr)` });

const laptop: FormLayout = {
  fields: [
    { name: 'kind', kind: 'choice', label: en('Kind'), required: true, options: [{ value: 'laptop', label: en('Laptop') }, { value: 'phone', label: en('Phone') }] },
    { name: 'ram', kind: 'choice', label: en('Memory'), required: true, options: [{ value: '16', label: en('16 GB') }, { value: '32', label: en('32 GB') }], showWhen: { field: 'kind', equals: ['laptop'] } },
    { name: 'reason', kind: 'text', label: en('Why'), required: true, maxLength: 20, pattern: '^[A-Z]' },
    { name: 'budget', kind: 'number', label: en('Budget'), min: 100, max: 3000 },
    { name: 'when', kind: 'date', label: en('Needed by') },
    { name: 'extras', kind: 'multiChoice', label: en('Extras'), options: [{ value: 'dock', label: en('Dock') }, { value: 'bag', label: en('Bag') }] },
    { name: 'dockModel', kind: 'text', label: en('Dock model'), required: true, showWhen: { field: 'extras', equals: ['dock'] } },
    { name: 'port', kind: 'text', label: en('Port'), showWhen: { field: 'ram', equals: ['32'] } },
  ],
};

describe('catalogue forms', () => {
  const { check, module } = compileForm(laptop);

  it('should name each layout mistake at its element', () => {
    const errors = layoutErrors({
      fields: [
        { name: 'a', kind: 'choice', label: en('A'), options: [{ value: 'x', label: en('X') }, { value: 'x', label: en('X') }] },
        { name: 'a', kind: 'text', label: en('A2'), showWhen: { field: 'later', equals: ['x'] } },
        { name: 'b', kind: 'number', label: en('B'), min: 5, max: 1 },
        { name: 'c', kind: 'text', label: en('C'), pattern: '([' },
        { name: 'd', kind: 'choice', label: en('D') },
        { name: 'e', kind: 'text', label: en('E'), showWhen: { field: 'a', equals: ['nope'] } },
        { name: 'later', kind: 'choice', label: en('L'), options: [{ value: 'x', label: en('X') }] },
        { name: 'laptop', kind: 'asset', label: en('Which laptop') },
      ],
    });
    expect(errors.map((e) => e.pointer)).toEqual([
      '/fields/0/options/1/value',
      '/fields/1/name',
      '/fields/1/showWhen/field',
      '/fields/2/max',
      '/fields/3/pattern',
      '/fields/4/options',
      '/fields/5/showWhen/field',
      '/fields/7/assetCategory',
    ]);
    expect(layoutErrors(laptop)).toEqual([]);
  });

  it('should drop hidden answers, along a chain of conditions, and tidy the rest', () => {
    const raw = { kind: 'phone', ram: '32', port: 'usb-c', reason: '  Broken  ', extras: [], when: '' };
    expect(tidyAnswers(laptop, raw)).toEqual({ kind: 'phone', reason: 'Broken' });
    expect(visibleFields(laptop, raw).map((f) => f.name)).toEqual(['kind', 'reason', 'budget', 'when', 'extras']);
    expect(visibleFields(laptop, { kind: 'laptop', ram: '32' }).map((f) => f.name)).toContain('port');
  });

  it('should require a conditional field only while it shows', () => {
    expect(check(tidyAnswers(laptop, { kind: 'phone', reason: 'Broken' }))).toBe(true);
    expect(check(tidyAnswers(laptop, { kind: 'laptop', reason: 'Broken' }))).toBe(false);
    expect(answerErrors(laptop, check.errors ?? [])).toEqual([{ field: 'ram', code: 'required', message: 'ram is required' }]);
    expect(check(tidyAnswers(laptop, { kind: 'laptop', ram: '16', reason: 'Broken', extras: ['dock'] }))).toBe(false);
    expect(answerErrors(laptop, check.errors ?? []).map((e) => e.field)).toEqual(['dockModel']);
  });

  it('should refuse an answer named __proto__ by name, like any unknown one', () => {
    const answers = tidyAnswers(laptop, JSON.parse('{"kind": "phone", "reason": "Broken", "__proto__": {"admin": true}}'));
    expect(check(answers)).toBe(false);
    expect(answerErrors(laptop, check.errors ?? [])).toEqual([{ field: '__proto__', code: 'unknown', message: '__proto__ is not a field of this form' }]);
  });

  it('should give one error per field, in the form order', () => {
    const ok = check(tidyAnswers(laptop, { kind: 'tablet', reason: 'lower case and far too long', budget: 5, when: '2026-13-01', extras: ['dock', 'dock'], stray: 1 }));
    expect(ok).toBe(false);
    expect(answerErrors(laptop, check.errors ?? []).map((e) => `${e.field}:${e.code}`)).toEqual([
      'kind:notAnOption',
      'reason:tooLong',
      'budget:tooSmall',
      'when:invalid',
      'extras:invalid',
      'dockModel:required',
      'stray:unknown',
    ]);
  });

  it('should ship the same check as a module the browser can import, with no require left', async () => {
    expect(module).not.toMatch(/require\(/);
    const dir = mkdtempSync(path.join(tmpdir(), 'guichet-form-'));
    const file = path.join(dir, 'check.mjs');
    writeFileSync(file, module);
    const shipped = ((await import(pathToFileURL(file).href)) as { default: AnswersCheck }).default;
    const cases = [
      { kind: 'phone', reason: 'Broken' },
      { kind: 'laptop', reason: 'Broken' },
      { kind: 'laptop', ram: '32', reason: 'Ça ne marche pas 🙂', budget: 3000, when: '2027-01-31', extras: ['bag'] },
      { kind: 'laptop', ram: '32', reason: 'x'.repeat(21) },
      { kind: 'laptop', ram: '16', reason: 'A🙂🙂🙂🙂🙂🙂🙂🙂🙂🙂🙂🙂🙂🙂🙂🙂🙂🙂🙂' },
    ];
    for (const c of cases) {
      const answers = tidyAnswers(laptop, c);
      expect([shipped(answers), JSON.stringify(shipped.errors ?? null)]).toEqual([check(answers), JSON.stringify(check.errors ?? null)]);
    }
  });

  it('should refuse a schema ajv cannot compile, at the form', () => {
    expect(() => compileForm({ fields: [{ name: 'a', kind: 'text', label: en('A'), pattern: '(?<n>a)(?<n>b)' }] })).toThrow(/refused/);
  });

  it('should read answers in words, in the reader\'s language', () => {
    const lines = summaryLines(laptop, { kind: 'laptop', ram: '32', reason: 'Needs [link](http://x)', extras: ['dock', 'bag'] }, 'fr');
    expect(lines.map((l) => `${l.label}=${l.text}`)).toEqual(['Kind (fr)=Laptop (fr)', 'Memory (fr)=32 GB (fr)', 'Why (fr)=Needs [link](http://x)', 'Extras (fr)=Dock (fr), Bag (fr)']);
    expect(summaryText(lines, 'fr').split('\n')[1]).toBe('Memory (fr) : 32 GB (fr)');
    expect(summaryText(lines, 'en').split('\n')[1]).toBe('Memory (fr): 32 GB (fr)');
  });
});
