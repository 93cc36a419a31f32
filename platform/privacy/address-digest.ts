// A person erased from the desk is remembered only by a digest of their address (table erased_addresses): enough for
// an import or a sync to know it must not make them again, never enough to read the address back.
import { createHash } from 'node:crypto';

export const addressDigest = (email: string): string => createHash('sha256').update(email.trim().toLowerCase()).digest('hex');
