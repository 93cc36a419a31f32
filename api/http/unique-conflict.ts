// A write that a unique key may refuse: the key, not a read before the write, decides who was first, so two requests
// racing for one name cannot both pass a check and then fail with a 500.
import { UniqueConstraintViolationException } from '@mikro-orm/core';

/** The write's result, or `problem()` (a 409 the caller words) when the write broke a unique key. */
export async function unlessTaken<T>(write: Promise<T>, problem: () => Error): Promise<T> {
  try {
    return await write;
  } catch (err) {
    if (err instanceof UniqueConstraintViolationException) throw problem();
    throw err;
  }
}
