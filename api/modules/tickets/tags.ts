// Tags: the agents' own labels on tickets. One spelling per tag: lower case, trimmed, inner spaces as hyphens.
import { unprocessable } from '../../http/problem';

/** As stored and as accepted once normalised: a letter or digit, then letters, digits and . _ : - (40 at most). */
export const TAG_PATTERN = '^[\\p{Ll}\\p{Lo}\\p{N}][\\p{Ll}\\p{Lo}\\p{N}._:-]{0,39}$';
export const tagSchema = { type: 'string', minLength: 1, maxLength: 40, pattern: TAG_PATTERN } as const;

/** What a person typed ("  VPN  Client ") as the tag it means ("vpn-client"). */
export function normaliseTag(raw: string): string {
  return raw.trim().toLowerCase().replace(/\s+/g, '-');
}

const TAG = new RegExp(TAG_PATTERN, 'u');

/** Normalised, deduplicated tags, or a 422 naming each one that is not a tag (or not on the managed list). */
export function checkedTags(raw: readonly string[], pointer: string, allowed: readonly string[]): string[] {
  const tags = [...new Set(raw.map(normaliseTag))];
  const errors = tags.flatMap((tag, i) => {
    if (!TAG.test(tag)) return [{ pointer: `${pointer}/${i}`, message: `'${tag}' is not a tag: letters, digits and . _ : - only, 40 at most` }];
    if (allowed.length && !allowed.includes(tag)) return [{ pointer: `${pointer}/${i}`, message: `'${tag}' is not on the desk's list of tags` }];
    return [];
  });
  if (errors.length) throw unprocessable(errors.map((e) => e.message).join('; '), errors, 'invalid-tags');
  return tags;
}
