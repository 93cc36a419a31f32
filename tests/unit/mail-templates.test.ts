// The template renderer substitutes values and nothing else, and escapes everything in the HTML part.
import { DEFAULT_TEMPLATES, MAIL_KINDS, renderHtml, renderText, unknownPlaceholders } from '../../mail/templates';

it('should substitute placeholders and render unknown ones empty, without evaluating anything', () => {
  expect(renderText('{{ticket.number}} / {{ ticket.title }} / {{nope.x}}', { ticket: { number: 'INC-1', title: 'T' } })).toBe('INC-1 / T / ');
  expect(renderText('{{ticket.constructor}}{{ticket.toString}}', { ticket: {} })).toBe('');
  // A value containing a placeholder is not rendered again.
  expect(renderText('{{comment.body}}', { comment: { body: '{{ticket.number}}' }, ticket: { number: 'X' } })).toBe('{{ticket.number}}');
});

it('should escape template text and values in the HTML part', () => {
  const html = renderHtml('<i>{{ticket.title}}</i>', { ticket: { title: '<script>alert(1)</script>' } });
  expect(html).toContain('&lt;i&gt;&lt;script&gt;alert(1)&lt;/script&gt;&lt;/i&gt;');
  expect(html).not.toContain('<script>');
});

it('should ship defaults in both languages that use only their kind\'s placeholders', () => {
  for (const kind of MAIL_KINDS) {
    for (const locale of ['en', 'fr'] as const) {
      const t = DEFAULT_TEMPLATES[kind][locale];
      expect(unknownPlaceholders(kind, t.subject + t.body)).toEqual([]);
    }
  }
});
