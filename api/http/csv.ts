// RFC 4180 CSV for every download the API offers (reports, the audit log): a header row, CRLF, quoted where needed.

/** A text cell a spreadsheet would run as a formula is neutralised (numbers, including negative ones, stay as they are). */
function cell(v: unknown): string {
  if (v === null || v === undefined) return '';
  let s = typeof v === 'object' ? JSON.stringify(v) : String(v);
  if (typeof v !== 'number' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function csv(columns: string[], rows: Array<Record<string, unknown>>): string {
  const lines = [columns.map(cell).join(','), ...rows.map((r) => columns.map((c) => cell(r[c])).join(','))];
  return lines.join('\r\n') + '\r\n';
}
