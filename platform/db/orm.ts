// Opens the MikroORM connection and applies the committed migrations (never schema sync).
import { MikroORM } from '@mikro-orm/postgresql';
import { Migrator } from '@mikro-orm/migrations';
import { ENTITIES } from './entities/index';
import { Migration20261124000001Initial } from './migrations/Migration20261124000001Initial';
import { Migration20261124000002Definitions } from './migrations/Migration20261124000002Definitions';
import { Migration20261124000003Access } from './migrations/Migration20261124000003Access';
import { Migration20261124000004Passwords } from './migrations/Migration20261124000004Passwords';
import { Migration20261124000005Collaboration } from './migrations/Migration20261124000005Collaboration';
import { Migration20261124000006AssignedGroup } from './migrations/Migration20261124000006AssignedGroup';
import { Migration20261125000001Webhooks } from './migrations/Migration20261125000001Webhooks';
import { Migration20261125000002Email } from './migrations/Migration20261125000002Email';
import { Migration20261125000004KnowledgeBase } from './migrations/Migration20261125000004KnowledgeBase';
import { Migration20261125000003Maintenance } from './migrations/Migration20261125000003Maintenance';
import { Migration20261125000005Reports } from './migrations/Migration20261125000005Reports';
import { Migration20261125000007TicketEventFanout } from './migrations/Migration20261125000007TicketEventFanout';
import { Migration20261203000001AuditFloodAggregation } from './migrations/Migration20261203000001AuditFloodAggregation';
import { Migration20261203000002OidcIdentities } from './migrations/Migration20261203000002OidcIdentities';
import { Migration20261204000001AuditSubjects } from './migrations/Migration20261204000001AuditSubjects';
import { Migration20261204000004TicketChannel } from './migrations/Migration20261204000004TicketChannel';
import { Migration20261204000005SharedThrottles } from './migrations/Migration20261204000005SharedThrottles';
import { Migration20261204000006DeskSettings } from './migrations/Migration20261204000006DeskSettings';
import { Migration20261205000001AttachmentChunks } from './migrations/Migration20261205000001AttachmentChunks';
import { Migration20261205000002TicketPresence } from './migrations/Migration20261205000002TicketPresence';
import { Migration20261205000003TicketTags } from './migrations/Migration20261205000003TicketTags';
import { Migration20261205000004SharedViews } from './migrations/Migration20261205000004SharedViews';
import { Migration20261206000001MacrosAndTime } from './migrations/Migration20261206000001MacrosAndTime';
import { Migration20261206000002CommentSearch } from './migrations/Migration20261206000002CommentSearch';
import { Migration20261206000003TwoStepSignIn } from './migrations/Migration20261206000003TwoStepSignIn';
import { Migration20261206000004Passkeys } from './migrations/Migration20261206000004Passkeys';
import { Migration20261207000001LdapDirectories } from './migrations/Migration20261207000001LdapDirectories';
import { Migration20261207000002Scim } from './migrations/Migration20261207000002Scim';
import { Migration20261207000003PersonalData } from './migrations/Migration20261207000003PersonalData';
import { Migration20261207000004Roles } from './migrations/Migration20261207000004Roles';
import { Migration20261208000001UnrecordedTickets } from './migrations/Migration20261208000001UnrecordedTickets';
import { Migration20261208000002AttachmentStores } from './migrations/Migration20261208000002AttachmentStores';
import { Migration20261208000003DropUnrecordedIndex } from './migrations/Migration20261208000003DropUnrecordedIndex';
import { Migration20261209000001ServiceCatalogue } from './migrations/Migration20261209000001ServiceCatalogue';
import { Migration20261209000002SlaPolicies } from './migrations/Migration20261209000002SlaPolicies';
import { Migration20261209000003AutoAssignment } from './migrations/Migration20261209000003AutoAssignment';
import { Migration20261209000004AgentSkills } from './migrations/Migration20261209000004AgentSkills';
import { Migration20261210000001Approvals } from './migrations/Migration20261210000001Approvals';
import { Migration20261210000002TicketTypes } from './migrations/Migration20261210000002TicketTypes';
import { Migration20261211000001AutomationRules } from './migrations/Migration20261211000001AutomationRules';
import { Migration20261212000001Plugins } from './migrations/Migration20261212000001Plugins';
import { Migration20261213000001PluginSchedules } from './migrations/Migration20261213000001PluginSchedules';
import { Migration20261213000002MailBounces } from './migrations/Migration20261213000002MailBounces';
import { Migration20261214000001Imports } from './migrations/Migration20261214000001Imports';
import { Migration20261214000002ErasedAddresses } from './migrations/Migration20261214000002ErasedAddresses';
import { Migration20261215000001SlaTimerLateness } from './migrations/Migration20261215000001SlaTimerLateness';
import { Migration20261216000001TimerCalendar } from './migrations/Migration20261216000001TimerCalendar';
import { Migration20261125000006ReportRollups } from './migrations/Migration20261125000006ReportRollups';

export const MIGRATIONS = [Migration20261124000001Initial, Migration20261124000002Definitions, Migration20261124000003Access, Migration20261124000004Passwords, Migration20261124000005Collaboration, Migration20261124000006AssignedGroup, Migration20261125000001Webhooks, Migration20261125000002Email, Migration20261125000003Maintenance, Migration20261125000004KnowledgeBase, Migration20261125000005Reports, Migration20261125000006ReportRollups, Migration20261125000007TicketEventFanout, Migration20261203000001AuditFloodAggregation, Migration20261203000002OidcIdentities, Migration20261204000001AuditSubjects, Migration20261204000004TicketChannel, Migration20261204000005SharedThrottles, Migration20261204000006DeskSettings, Migration20261205000001AttachmentChunks, Migration20261205000002TicketPresence, Migration20261205000003TicketTags, Migration20261205000004SharedViews, Migration20261206000001MacrosAndTime, Migration20261206000002CommentSearch, Migration20261206000003TwoStepSignIn, Migration20261206000004Passkeys, Migration20261207000001LdapDirectories, Migration20261207000002Scim, Migration20261207000003PersonalData, Migration20261207000004Roles, Migration20261208000001UnrecordedTickets, Migration20261208000002AttachmentStores, Migration20261208000003DropUnrecordedIndex, Migration20261209000001ServiceCatalogue, Migration20261209000002SlaPolicies, Migration20261209000003AutoAssignment, Migration20261209000004AgentSkills, Migration20261210000001Approvals, Migration20261210000002TicketTypes, Migration20261211000001AutomationRules, Migration20261212000001Plugins, Migration20261213000001PluginSchedules, Migration20261213000002MailBounces, Migration20261214000001Imports, Migration20261214000002ErasedAddresses, Migration20261215000001SlaTimerLateness, Migration20261216000001TimerCalendar];

export type Orm = MikroORM;

export async function openOrm(databaseUrl: string, options: { poolMax?: number; debug?: boolean } = {}): Promise<MikroORM> {
  return MikroORM.init({
    clientUrl: databaseUrl,
    entities: ENTITIES,
    extensions: [Migrator],
    migrations: { migrationsList: MIGRATIONS, transactional: true, allOrNothing: true, snapshot: false },
    pool: { min: 0, max: options.poolMax ?? 10 },
    debug: options.debug ?? false,
    allowGlobalContext: false,
  });
}

export async function migrate(orm: MikroORM): Promise<void> {
  await orm.migrator.up();
}
