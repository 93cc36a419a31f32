// Request and response shapes of the assets API.
export const CRITICALITIES = ['low', 'medium', 'high', 'critical'] as const;
export const ASSET_KINDS = ['equipment', 'site', 'service'] as const;

const text = (max: number) => ({ type: 'string', maxLength: max }) as const;
const groupKey = { type: ['string', 'null'], pattern: '^[a-z][a-z0-9_-]{0,62}$' } as const;

export const assetBody = {
  title: 'AssetInput',
  type: 'object',
  required: ['name', 'kind', 'criticality'],
  additionalProperties: false,
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 200, pattern: '\\S' },
    kind: { type: 'string', enum: ASSET_KINDS },
    category: text(100),
    location: text(200),
    ownerGroup: groupKey,
    criticality: { type: 'string', enum: CRITICALITIES },
    fields: { type: 'object', maxProperties: 50, additionalProperties: { anyOf: [{ type: 'string', maxLength: 2000 }, { type: ['number', 'boolean', 'null'] }] } },
  },
} as const;

export const assetPatchBody = { ...assetBody, title: 'AssetPatch', required: [], minProperties: 1 } as const;

export interface AssetBody {
  name: string;
  kind: (typeof ASSET_KINDS)[number];
  category?: string;
  location?: string;
  ownerGroup?: string | null;
  criticality: (typeof CRITICALITIES)[number];
  fields?: Record<string, string | number | boolean | null>;
}

export const listAssetsQuery = {
  type: 'object',
  additionalProperties: false,
  properties: { q: { type: 'string', maxLength: 200 }, limit: { type: 'string', pattern: '^(?:[1-9]|[1-9][0-9]|1[0-9][0-9]|200)$' } },
} as const;

export const assetSchema = {
  title: 'Asset',
  type: 'object',
  required: ['id', 'name', 'kind', 'category', 'location', 'ownerGroup', 'criticality', 'fields', 'createdAt', 'updatedAt'],
  properties: {
    id: { type: 'string', format: 'uuid' },
    name: { type: 'string' },
    kind: { type: 'string', enum: ASSET_KINDS },
    category: { type: 'string' },
    location: { type: 'string' },
    ownerGroup: { type: ['string', 'null'] },
    criticality: { type: 'string', enum: CRITICALITIES },
    fields: { type: 'object', additionalProperties: { type: ['string', 'number', 'boolean', 'null'] } },
    createdAt: { type: 'string', format: 'date-time' },
    updatedAt: { type: 'string', format: 'date-time' },
  },
} as const;

const ticketSummary = {
  title: 'AssetTicket',
  type: 'object',
  required: ['id', 'number', 'type', 'title', 'state', 'stateCategory', 'priority', 'createdAt', 'resolvedAt'],
  properties: {
    id: { type: 'string' },
    number: { type: 'string' },
    type: { type: 'string' },
    title: { type: 'string' },
    state: { type: 'string' },
    stateCategory: { type: 'string' },
    priority: { type: 'string' },
    createdAt: { type: 'string' },
    resolvedAt: { type: ['string', 'null'] },
  },
} as const;

export const assetDetailSchema = {
  title: 'AssetDetail',
  type: 'object',
  required: ['asset', 'openTickets', 'history', 'plans'],
  properties: {
    asset: assetSchema,
    openTickets: { type: 'array', items: ticketSummary },
    history: { type: 'array', items: ticketSummary },
    plans: { type: 'array', items: { type: 'object', required: ['id', 'name', 'status', 'nextDueAt'], properties: { id: { type: 'string' }, name: { type: 'string' }, status: { type: 'string' }, nextDueAt: { type: ['string', 'null'] } } } },
  },
} as const;
