// The Idempotency-Key header every command route reads the same way.
import type { Context } from 'koa';
import { badRequest } from './problem';

/** The caller's Idempotency-Key header, checked: the same key from the same caller names the same command. */
export function idempotencyKey(ctx: Context): string | undefined {
  const key = ctx.get('idempotency-key') || undefined;
  if (key !== undefined && (key.length > 200 || !/^[\x21-\x7e]+$/.test(key))) {
    throw badRequest('Idempotency-Key must be 1-200 visible ASCII characters', [{ pointer: '/headers/idempotency-key', message: 'invalid' }]);
  }
  return key;
}
