// Case-insensitive equality, folded by the database on both sides: addresses and names are stored or indexed as
// PostgreSQL's lower() gives them, and its lower() and JavaScript's toLowerCase() differ outside ASCII.
import { raw } from '@mikro-orm/core';

/** `value` as the database lowers it: what a stored e-mail address is, and what a lower(column) index is matched with. */
export const lowered = (value: string) => raw('lower(?)', [value]);

/** A condition: `column` (its SQL name) equals `value` whatever the case of either. */
export const caseless = (column: string, value: string) => ({ [raw((a) => `lower(${a}.${column})`)]: lowered(value) });
