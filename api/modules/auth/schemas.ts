// Shapes of accounts and sessions as the API answers them; titled ones become named types of the console's generated client.

export const builtInRoleSchema = { title: 'Role', type: 'string', enum: ['admin', 'agent', 'customer'] } as const;

/** An account as anyone who may see it sees it (publicUser). */
export const userSchema = {
  title: 'User',
  type: 'object',
  required: ['id', 'email', 'name', 'role', 'locale'],
  properties: { id: { type: 'string', format: 'uuid' }, email: { type: 'string' }, name: { type: 'string' }, role: builtInRoleSchema, locale: { type: 'string' } },
} as const;

/** An account as admins manage it: also its custom role, organisation and whether it is disabled. */
export const adminUserSchema = {
  title: 'AdminUser',
  type: 'object',
  required: [...userSchema.required, 'customRole', 'organisationId', 'disabled', 'skills', 'managerId', 'managerName'],
  properties: {
    ...userSchema.properties,
    customRole: { type: ['string', 'null'], description: 'a custom role held by this agent (its key)' },
    organisationId: { type: ['string', 'null'] },
    disabled: { type: 'boolean' },
    skills: { type: 'array', items: { type: 'string' }, description: 'an agent\'s skills, for queues that assign by skills' },
    managerId: { type: ['string', 'null'], description: 'their manager, who approves what a definition sends to the requester\'s manager' },
    managerName: { type: ['string', 'null'] },
  },
} as const;

export const permissionsSchema = {
  title: 'Permissions',
  type: 'object',
  required: ['areas', 'queues', 'customRole'],
  description: "What the caller's role grants (GET /api/auth/me): areas, actions per queue ('*': every queue they work), and a custom role's key",
  properties: {
    areas: { type: 'array', items: { type: 'string' } },
    queues: { type: 'object', additionalProperties: { type: 'array', items: { type: 'string' } } },
    customRole: { type: ['string', 'null'] },
  },
} as const;

export const sessionSchema = {
  title: 'Session',
  type: 'object',
  required: ['user', 'csrfToken', 'twoStepRequired'],
  properties: {
    user: userSchema,
    csrfToken: { type: 'string' },
    permissions: permissionsSchema,
    twoStepRequired: { type: 'boolean', description: 'The desk asks this role for two-step sign-in and the account has not set it up: only the account pages answer' },
  },
} as const;
