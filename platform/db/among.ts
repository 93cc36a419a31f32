// `$in` over a list bound as ONE JSON parameter. MikroORM spreads an array into a parameter per element, and a list can
// be longer than the 65,535 parameters PostgreSQL takes (an approval round, a batch of ticket ids); one JSON array is
// also one plan whatever its length.
import { raw } from '@mikro-orm/core';

/** A condition matching any of `values`; `uuid` when the column is one (text compared to uuid is refused). */
export const among = (values: readonly string[], as: 'text' | 'uuid' = 'text') => ({
  $in: raw(`select jsonb_array_elements_text(?::jsonb)${as === 'uuid' ? '::uuid' : ''}`, [JSON.stringify(values)]),
});
