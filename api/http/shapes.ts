// Building blocks of response schemas shared by every feature.

/** `{ items: [...] }`, the shape of every unpaged list the API answers. */
export const listOf = <T extends object>(items: T) => ({ type: 'object', required: ['items'], properties: { items: { type: 'array', items } } }) as const;

/** A label in both languages of the console. */
export const localized = { type: 'object', required: ['en', 'fr'], properties: { en: { type: 'string' }, fr: { type: 'string' } } } as const;
