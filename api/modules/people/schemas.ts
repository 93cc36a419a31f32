// Shapes of people as agents look them up; titled ones become named types of the console's generated client.

/** Someone a ticket can be for, as agents see them. */
export const personSchema = {
  title: 'Person',
  type: 'object',
  required: ['id', 'name', 'email', 'phone', 'role', 'organisation'],
  properties: {
    id: { type: 'string', format: 'uuid' },
    name: { type: 'string' },
    email: { type: 'string' },
    phone: { type: ['string', 'null'] },
    role: { type: 'string' },
    organisation: { type: ['object', 'null'], required: ['id', 'name'], properties: { id: { type: 'string' }, name: { type: 'string' } } },
  },
} as const;
