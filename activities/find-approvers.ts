// Asked by a ticket's workflow when an approval round opens: who its approvers are, from the directory.
import type { EntityManager } from '@mikro-orm/postgresql';
import { findApprovers, type ApprovalSubject, type FoundApprovers } from '../platform/approvals/approvers';
import type { ApprovalDef } from '../workflow-definitions/schema';

export interface FindApproversInput extends ApprovalSubject {
  approvers: ApprovalDef['approvers'];
}

export function findApproversWith(em: EntityManager) {
  return {
    findApprovers: (input: FindApproversInput): Promise<FoundApprovers> => findApprovers(em.fork(), input.approvers, input),
  };
}
