// Identity administration over HTTP (admins): organisations, groups and members, queue access, account changes.
import type { RouteTable } from '../../http/routes';
import {
  groupBody,
  groupSchema,
  membersBody,
  organisationBody,
  organisationSchema,
  patchOrganisationBody,
  patchUserBody,
  queueGroupsBody,
  type GroupBody,
  type MembersBody,
  type OrganisationBody,
  type PatchOrganisationBody,
  type PatchUserBody,
  type QueueGroupsBody,
} from './schemas';
import type { IamService } from './service';
import { listOf } from '../../http/shapes';
import { adminUserSchema } from '../auth/schemas';

const listOfItems = (items: object) => ({ 200: { description: 'Items', schema: listOf(items) }, 403: { description: 'Not an admin' } });

export function iamRoutes(table: RouteTable, iam: IamService): void {
  table.add({
    method: 'get', path: '/api/organisations', summary: 'Customer organisations', tag: 'iam', auth: 'user', scope: 'admin', permission: 'admin.people', responses: listOfItems(organisationSchema),
    handler: async () => ({ body: { items: await iam.listOrganisations() } }),
  });
  table.add<OrganisationBody>({
    method: 'post', path: '/api/organisations', summary: 'Create an organisation; shareTickets lets its customers see each other\'s tickets', tag: 'iam', auth: 'user', scope: 'admin', permission: 'admin.people',
    audits: { entity: 'organisation', id: ({ reply }) => (reply as { id?: string } | undefined)?.id },
    body: organisationBody, responses: { 201: { description: 'Created', schema: organisationSchema }, 409: { description: 'Name taken' } },
    handler: async ({ body }) => ({ status: 201, body: await iam.createOrganisation(body) }),
  });
  table.add<PatchOrganisationBody>({
    method: 'patch', path: '/api/organisations/:id', summary: 'Rename an organisation or change whether its customers share tickets', tag: 'iam', auth: 'user', scope: 'admin', permission: 'admin.people',
    audits: { entity: 'organisation', id: ({ params }) => params.id },
    body: patchOrganisationBody, responses: { 200: { description: 'The organisation', schema: organisationSchema }, 404: { description: 'No such organisation' }, 409: { description: 'Name taken' } },
    handler: async ({ params, body }) => ({ body: await iam.patchOrganisation(params.id, body) }),
  });
  table.add({
    method: 'get', path: '/api/groups', summary: 'Agent groups with their members', tag: 'iam', auth: 'user', scope: 'admin', permission: 'admin.people', responses: listOfItems(groupSchema),
    handler: async () => ({ body: { items: await iam.listGroups() } }),
  });
  table.add<GroupBody>({
    method: 'post', path: '/api/groups', summary: 'Create an agent group', tag: 'iam', auth: 'user', scope: 'admin', permission: 'admin.people',
    audits: { entity: 'group', id: ({ body }) => body.key },
    body: groupBody, responses: { 201: { description: 'Created', schema: groupSchema }, 409: { description: 'Key taken' } },
    handler: async ({ body }) => ({ status: 201, body: await iam.createGroup(body) }),
  });
  table.add<MembersBody>({
    method: 'put', path: '/api/groups/:key/members', summary: 'Replace the members of a group', tag: 'iam', auth: 'user', scope: 'admin', permission: 'admin.people',
    audits: { entity: 'group', id: ({ params }) => params.key },
    body: membersBody, responses: { 200: { description: 'Saved', schema: { type: 'object', required: ['key', 'userIds'], properties: { key: { type: 'string' }, userIds: groupSchema.properties.userIds } } }, 404: { description: 'No such group' }, 422: { description: 'Not agents' } },
    handler: async ({ params, body }) => ({ body: await iam.setMembers(params.key, body) }),
  });
  table.add<QueueGroupsBody>({
    method: 'put', path: '/api/queues/:key/groups', summary: 'Groups whose agents work this queue (none: every agent)', tag: 'iam', auth: 'user', scope: 'admin', permission: 'admin.queues',
    audits: { entity: 'queue', id: ({ params }) => params.key },
    body: queueGroupsBody, responses: { 200: { description: 'Saved', schema: { type: 'object', required: ['queue', 'groups'], properties: { queue: { type: 'string' }, groups: { type: 'array', items: { type: 'string' } } } } }, 404: { description: 'No such queue' }, 422: { description: 'Unknown groups' } },
    handler: async ({ params, body }) => ({ body: await iam.setQueueGroups(params.key, body) }),
  });
  table.add<PatchUserBody>({
    method: 'patch', path: '/api/users/:id', summary: 'Change a user (role, organisation, disabled...); their sessions end when role or access shrink', tag: 'iam', auth: 'user', scope: 'admin', permission: 'admin.people',
    audits: { entity: 'user', id: ({ params }) => params.id },
    body: patchUserBody, responses: { 200: { description: 'The user', schema: adminUserSchema }, 404: { description: 'No such user' } },
    handler: async ({ params, body, user }) => ({ body: await iam.patchUser(params.id, body, user) }),
  });
}
