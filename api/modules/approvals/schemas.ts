// The approvals API's shapes: the source of validation, types and the OpenAPI document.
import type { FromSchema } from 'json-schema-to-ts';
import { ticketRequestFormSchema } from '../catalogue/schemas';

export const decisionBody = {
  type: 'object',
  required: ['decision'],
  additionalProperties: false,
  properties: {
    decision: { type: 'string', enum: ['approve', 'reject'] },
    comment: { type: 'string', maxLength: 2000, description: 'Why; required to reject' },
  },
} as const;
export type DecisionBody = FromSchema<typeof decisionBody>;

export const approvalListQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    status: { type: 'string', enum: ['pending', 'decided', 'all'], description: 'pending (default): open and waiting on you; decided: those you decided; all: every round you were asked in that is closed or decided' },
    limit: { type: 'string', pattern: '^([1-9]|[1-9][0-9]|100)$' },
  },
} as const;
export type ApprovalListQuery = FromSchema<typeof approvalListQuery>;

const nullableTime = { type: ['string', 'null'], format: 'date-time' } as const;

export const approvalRoundSchema = {
  title: 'ApprovalRound',
  type: 'object',
  required: ['ticket', 'round', 'state', 'stateLabel', 'policy', 'needed', 'status', 'unresolved', 'openedAt', 'deadline', 'closedAt', 'closedBy', 'approvers', 'myDecision', 'canDecide', 'request'],
  properties: {
    ticket: {
      type: 'object',
      required: ['id', 'number', 'title', 'description', 'state', 'requester'],
      properties: {
        id: { type: 'string', format: 'uuid' },
        number: { type: 'string' },
        title: { type: 'string' },
        description: { type: 'string' },
        state: { type: 'string' },
        requester: { type: 'object', required: ['id', 'name'], properties: { id: { type: 'string', format: 'uuid' }, name: { type: 'string' } } },
      },
    },
    round: { type: 'integer', description: 'Names the round within its ticket (the seq of the event that entered the state)' },
    state: { type: 'string', description: 'The definition state that asked for approval' },
    stateLabel: { type: ['object', 'null'], required: ['en', 'fr'], properties: { en: { type: 'string' }, fr: { type: 'string' } } },
    policy: { type: 'string', enum: ['any', 'all', 'atLeast'] },
    needed: { type: 'integer', description: 'Approvals that approve the round' },
    status: { type: 'string', enum: ['open', 'approved', 'rejected', 'withdrawn'] },
    unresolved: { type: ['string', 'null'], description: 'Why no approver was found, when none was' },
    openedAt: { type: 'string', format: 'date-time' },
    deadline: nullableTime,
    closedAt: nullableTime,
    closedBy: { type: ['string', 'null'], enum: ['decisions', 'timeout', 'left_state', null], description: 'What closed it' },
    approvers: {
      type: 'array',
      items: {
        type: 'object',
        required: ['id', 'name', 'decision', 'comment', 'via', 'decidedAt'],
        properties: {
          id: { type: 'string', format: 'uuid' },
          name: { type: 'string' },
          decision: { type: ['string', 'null'], enum: ['approve', 'reject', null] },
          comment: { type: ['string', 'null'] },
          via: { type: ['string', 'null'], enum: ['console', 'portal', 'email', null] },
          decidedAt: nullableTime,
        },
      },
    },
    myDecision: { type: ['string', 'null'], enum: ['approve', 'reject', null] },
    canDecide: { type: 'boolean', description: 'The caller is an approver who has not decided and the round is open' },
    request: ticketRequestFormSchema.properties.request,
  },
} as const;

export const approvalListSchema = { type: 'object', required: ['items'], properties: { items: { type: 'array', items: approvalRoundSchema } } } as const;
export const approvalLinkSchema = {
  title: 'ApprovalLinkView',
  type: 'object',
  required: ['approval', 'approver'],
  properties: { approval: approvalRoundSchema, approver: { type: 'string', description: 'The name of the approver the link speaks for' } },
} as const;
