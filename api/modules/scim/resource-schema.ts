// The SCIM attributes the desk keeps, per resource type: one description serves the /Schemas document and the PATCH path checks.
export const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';
export const ENTERPRISE_USER = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
export const LIST_RESPONSE = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
export const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

export interface Attribute {
  name: string;
  type: 'string' | 'boolean' | 'complex' | 'reference';
  multiValued?: boolean;
  required?: boolean;
  caseExact?: boolean;
  mutability?: 'readOnly' | 'readWrite' | 'immutable';
  uniqueness?: 'none' | 'server';
  description: string;
  subAttributes?: Attribute[];
}

const str = (name: string, description: string, more: Partial<Attribute> = {}): Attribute => ({ name, type: 'string', description, ...more });

export const USER_ATTRIBUTES: Attribute[] = [
  str('userName', 'Unique sign-in name; the e-mail address unless `emails` gives one.', { required: true, uniqueness: 'server' }),
  str('externalId', "The provider's own identifier.", { caseExact: true }),
  str('displayName', 'The name the desk shows.'),
  {
    name: 'name',
    type: 'complex',
    description: 'Parts of the name; `formatted` (or given and family names) gives the shown name when displayName is absent.',
    subAttributes: [str('formatted', 'Full name.'), str('givenName', 'Given name.'), str('familyName', 'Family name.')],
  },
  {
    name: 'emails',
    type: 'complex',
    multiValued: true,
    description: 'The desk keeps one address: the primary one (else the first).',
    subAttributes: [str('value', 'E-mail address.'), str('type', 'work, home or other.'), { name: 'primary', type: 'boolean', description: 'The address the desk keeps.' }],
  },
  { name: 'active', type: 'boolean', description: 'False disables the account and ends its sessions; its tickets stay.' },
  str('locale', 'Language of mail and console: fr… is French, anything else English.'),
  str('preferredLanguage', 'Read like locale when locale is absent.'),
  {
    name: 'roles',
    type: 'complex',
    multiValued: true,
    description: "admin, agent, customer or a custom role's key (the primary one, else the first); absent keeps the current role, customer for a new account.",
    subAttributes: [str('value', "admin, agent, customer, or a custom role's key (an agent holding it)."), str('display', 'Label.'), str('type', 'Free text.'), { name: 'primary', type: 'boolean', description: 'The role used.' }],
  },
];

export const ENTERPRISE_ATTRIBUTES: Attribute[] = [str('organization', 'The customer organisation, by name (created when new); absent keeps it, empty removes it.')];

export const GROUP_ATTRIBUTES: Attribute[] = [
  str('displayName', 'Name of the agent group.', { required: true, uniqueness: 'server' }),
  str('externalId', "The provider's own identifier.", { caseExact: true }),
  {
    name: 'members',
    type: 'complex',
    multiValued: true,
    description: 'Agents and admins of the group (customers cannot be members).',
    subAttributes: [str('value', 'The user id.', { mutability: 'immutable' }), str('display', 'Name.', { mutability: 'readOnly' }), { name: '$ref', type: 'reference', description: 'The user.', mutability: 'readOnly' }, str('type', 'User.')],
  },
];

function describe(attrs: Attribute[]): object[] {
  return attrs.map((a) => ({
    name: a.name,
    type: a.type,
    multiValued: a.multiValued ?? false,
    description: a.description,
    required: a.required ?? false,
    caseExact: a.caseExact ?? false,
    mutability: a.mutability ?? 'readWrite',
    returned: 'default',
    uniqueness: a.uniqueness ?? 'none',
    ...(a.subAttributes ? { subAttributes: describe(a.subAttributes) } : {}),
  }));
}

const schemaDoc = (id: string, name: string, description: string, attrs: Attribute[]) => ({
  schemas: ['urn:ietf:params:scim:schemas:core:2.0:Schema'],
  id,
  name,
  description,
  attributes: describe(attrs),
  meta: { resourceType: 'Schema', location: `/scim/v2/Schemas/${id}` },
});

export const SCHEMA_DOCS = [
  schemaDoc(USER_SCHEMA, 'User', 'Desk accounts', USER_ATTRIBUTES),
  schemaDoc(ENTERPRISE_USER, 'EnterpriseUser', 'Organisation of a customer', ENTERPRISE_ATTRIBUTES),
  schemaDoc(GROUP_SCHEMA, 'Group', 'Agent groups', GROUP_ATTRIBUTES),
];

export const RESOURCE_TYPES = [
  {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:ResourceType'],
    id: 'User',
    name: 'User',
    endpoint: '/Users',
    schema: USER_SCHEMA,
    schemaExtensions: [{ schema: ENTERPRISE_USER, required: false }],
    meta: { resourceType: 'ResourceType', location: '/scim/v2/ResourceTypes/User' },
  },
  {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:ResourceType'],
    id: 'Group',
    name: 'Group',
    endpoint: '/Groups',
    schema: GROUP_SCHEMA,
    meta: { resourceType: 'ResourceType', location: '/scim/v2/ResourceTypes/Group' },
  },
];

export const MAX_PAGE = 200;

export const SERVICE_PROVIDER_CONFIG = {
  schemas: ['urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig'],
  documentationUri: '/api/docs',
  patch: { supported: true },
  bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
  filter: { supported: true, maxResults: MAX_PAGE },
  changePassword: { supported: false },
  sort: { supported: false },
  etag: { supported: true },
  authenticationSchemes: [
    { type: 'oauthbearertoken', name: 'API token', description: "A desk API token of scope 'scim', sent as a bearer token", primary: true },
  ],
  meta: { resourceType: 'ServiceProviderConfig', location: '/scim/v2/ServiceProviderConfig' },
};
