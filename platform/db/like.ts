// Text typed by a person, made literal inside a LIKE pattern: its % and _ (and the escape character itself) match only
// themselves under PostgreSQL's default escape, the backslash.
export const escapeLike = (text: string): string => text.replace(/[\\%_]/g, (c) => `\\${c}`);
