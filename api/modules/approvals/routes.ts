// Approvals: the caller's list, a ticket's rounds, decisions by the signed-in approver or through a signed mail link.
import type { RouteTable } from '../../http/routes';
import type { ApprovalService } from './service';
import { approvalLinkSchema, approvalListQuery, approvalListSchema, approvalRoundSchema, decisionBody, type ApprovalListQuery, type DecisionBody } from './schemas';

const refusals = {
  403: { description: 'Not an approver (not-an-approver), no longer one (approver-lost-right), or a forged link (invalid-link)' },
  404: { description: 'No such approval the caller may know of' },
  409: { description: 'The approval is closed (approval-closed) or the caller already decided (already-decided)' },
  422: { description: 'A rejection without a comment (comment-required)' },
} as const;

export function approvalRoutes(table: RouteTable, approvals: ApprovalService): void {
  table.add<unknown, ApprovalListQuery>({
    method: 'get',
    path: '/api/approvals',
    summary: 'Approvals for me: the rounds waiting on my decision (or those I decided)',
    tag: 'approvals',
    auth: 'user',
    query: approvalListQuery,
    responses: { 200: { description: 'Rounds', schema: approvalListSchema } },
    handler: async ({ user, query }) => ({ body: await approvals.mine(user, query) }),
  });
  table.add({
    method: 'get',
    path: '/api/tickets/:id/approvals',
    summary: "A ticket's approval rounds, newest first (for whoever sees the ticket, and its approvers)",
    tag: 'approvals',
    auth: 'user',
    responses: { 200: { description: 'Rounds', schema: approvalListSchema }, 404: { description: 'No such ticket' } },
    handler: async ({ user, params }) => ({ body: await approvals.ofTicket(user, params.id!) }),
  });
  table.add<DecisionBody>({
    method: 'post',
    path: '/api/tickets/:id/approvals/:round/decision',
    summary: 'Approve or reject as one of the round’s approvers; the ticket takes the outcome’s transition once the policy is met',
    tag: 'approvals',
    auth: 'user',
    body: decisionBody,
    responses: { 200: { description: 'The round after the decision', schema: approvalRoundSchema }, ...refusals },
    handler: async ({ user, params, body, ctx }) => ({ body: await approvals.decide(user, params.id!, roundOf(params.round!), body, ctx.state.requestId, ctx.ip) }),
  });
  table.add({
    method: 'get',
    path: '/api/approval-links/:token',
    summary: 'What a signed approval link (from a mail) asks its approver to decide; deciding is a POST, so a mail scanner opening it changes nothing',
    tag: 'approvals',
    auth: 'public',
    responses: { 200: { description: 'The round as its approver sees it', schema: approvalLinkSchema }, 403: refusals[403], 410: { description: 'The link has expired' } },
    handler: async ({ params }) => ({ body: await approvals.linkView(params.token!) }),
  });
  table.add<DecisionBody>({
    method: 'post',
    path: '/api/approval-links/:token',
    summary: 'Decide through a signed approval link, as the approver it names (one decision per link)',
    tag: 'approvals',
    auth: 'public',
    body: decisionBody,
    responses: { 200: { description: 'The round after the decision', schema: approvalLinkSchema }, ...refusals, 410: { description: 'The link has expired' } },
    handler: async ({ params, body, ctx }) => ({ body: await approvals.decideByLink(params.token!, body, ctx.state.requestId, ctx.ip) }),
  });
}

/** A round is a positive integer; anything else names no round (404, like any unknown resource). */
function roundOf(value: string): number {
  const n = /^[1-9][0-9]{0,9}$/.test(value) ? Number(value) : NaN;
  return Number.isSafeInteger(n) && n <= 2_147_483_647 ? n : -1;
}
