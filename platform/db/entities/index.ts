// Every table of the read model as a MikroORM entity, grouped by the part of the desk that owns it. The report rollup
// tables (report_*_days, report_duration_buckets) have no entity: they are read and written only by the reports' typed
// SQL (bench/reports.ts), and have no primary key for an entity to stand on.
import { ATTACHMENTS_ENTITIES } from './attachments';
import { DESK_ENTITIES } from './desk';
import { IDENTITY_ENTITIES } from './identity';
import { INTEGRATIONS_ENTITIES } from './integrations';
import { KNOWLEDGE_ENTITIES } from './knowledge';
import { SERVICE_ENTITIES } from './service';
import { TICKETS_ENTITIES } from './tickets';

export * from './attachments';
export * from './desk';
export * from './identity';
export * from './integrations';
export * from './knowledge';
export * from './service';
export * from './tickets';

export const ENTITIES = [...IDENTITY_ENTITIES, ...TICKETS_ENTITIES, ...KNOWLEDGE_ENTITIES, ...SERVICE_ENTITIES, ...ATTACHMENTS_ENTITIES, ...INTEGRATIONS_ENTITIES, ...DESK_ENTITIES];
