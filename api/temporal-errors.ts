// Maps Temporal client failures to HTTP problems: definition refusals to 409/422 (403 when only the caller's identity stands in the way), a finished ticket to 409, an unreachable server to 503.
import { ApplicationFailure, WorkflowNotFoundError } from '@temporalio/client';
import { ProblemError, conflict, unavailable, unprocessable } from './http/problem';

/** Refusals the workflow raises as conflicts that are, for the caller, a matter of who they are. */
const FORBIDDEN_CODES = new Set(['not-author', 'not-an-approver']);
import { REJECTION_TYPES } from '../workflows/ticket-messages';

function findApplicationFailure(err: unknown): ApplicationFailure | undefined {
  let cur: unknown = err;
  for (let i = 0; i < 5 && cur; i++) {
    if (cur instanceof ApplicationFailure) return cur;
    cur = (cur as { cause?: unknown }).cause;
  }
  return undefined;
}

function grpcCode(err: unknown): number | undefined {
  let cur: unknown = err;
  for (let i = 0; i < 5 && cur; i++) {
    const code = (cur as { code?: unknown }).code;
    if (typeof code === 'number') return code;
    cur = (cur as { cause?: unknown }).cause;
  }
  return undefined;
}

const GRPC_CANCELLED = 1;
const GRPC_DEADLINE_EXCEEDED = 4;
const GRPC_NOT_FOUND = 5;
const GRPC_RESOURCE_EXHAUSTED = 8;
const GRPC_UNAVAILABLE = 14;

export function toProblem(err: unknown): ProblemError | undefined {
  if (err instanceof ProblemError) return err;
  const failure = findApplicationFailure(err);
  if (failure?.type === REJECTION_TYPES.conflict || failure?.type === REJECTION_TYPES.invalid) {
    const details = (failure.details?.[0] ?? {}) as { code?: string; errors?: Array<{ pointer: string; message: string }> };
    if (details.code && FORBIDDEN_CODES.has(details.code)) return new ProblemError(403, details.code, 'Forbidden', failure.message);
    return failure.type === REJECTION_TYPES.conflict
      ? conflict(failure.message, details.code ?? 'conflict')
      : unprocessable(failure.message, details.errors ?? [], details.code ?? 'validation-failed');
  }
  if (err instanceof WorkflowNotFoundError || grpcCode(err) === GRPC_NOT_FOUND) {
    return conflict('the ticket is closed and can no longer change', 'ticket-closed');
  }
  const code = grpcCode(err);
  // The API cancels a call only through its deadline (withDeadline): a call retried past it ends CANCELLED, not
  // DEADLINE_EXCEEDED, when the deadline falls between two attempts (seen under 2x overload: bench/overload.ts).
  if (code === GRPC_UNAVAILABLE || code === GRPC_DEADLINE_EXCEEDED || code === GRPC_CANCELLED || (err as Error)?.name === 'TransportError') {
    return unavailable('the workflow engine is unreachable, retry shortly');
  }
  if (code === GRPC_RESOURCE_EXHAUSTED) return unavailable('the workflow engine is over its request limits, retry shortly');
  return undefined;
}
