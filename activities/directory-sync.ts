// The directory sync's activity: reads the directory and applies it in one transaction (platform/ldap/sync.ts),
// heartbeating between searches so a long read of a large directory is not mistaken for a dead worker.
import { heartbeat } from '@temporalio/activity';
import type { EntityManager } from '@mikro-orm/postgresql';
import { syncDirectory, type SyncReport } from '../platform/ldap/sync';
import type { SecretOpener } from '../platform/ldap/config';
import type { DirectorySyncInput } from '../workflows/directory-sync';

export function directorySyncActivitiesWith(em: EntityManager, box: SecretOpener) {
  return {
    /** The run's report; null when the directory was deleted meanwhile. */
    async syncDirectory(input: DirectorySyncInput): Promise<SyncReport | null> {
      return syncDirectory(em, box, input.directoryId, input.trigger, () => heartbeat());
    },
  };
}
