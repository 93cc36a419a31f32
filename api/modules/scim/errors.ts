// SCIM answers errors in its own shape (RFC 7644 §3.12), which identity providers read; the desk's problems are turned into it here.
import { ProblemError } from '../../http/problem';

export type ScimType = 'invalidFilter' | 'tooMany' | 'uniqueness' | 'mutability' | 'invalidSyntax' | 'invalidPath' | 'noTarget' | 'invalidValue' | 'invalidVers' | 'sensitive';

export const SCIM_ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';
export const SCIM_CONTENT_TYPE = 'application/scim+json; charset=utf-8';

const TITLES: Record<number, string> = { 400: 'Bad request', 404: 'Not found', 409: 'Conflict', 412: 'Precondition failed' };

/** A problem that also says its SCIM error type; its problem code is the SCIM type in kebab case. */
export function scimError(status: number, scimType: ScimType | undefined, detail: string): ProblemError {
  const code = scimType ? scimType.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`) : status === 412 ? 'precondition-failed' : 'scim-error';
  return new ProblemError(status, code, TITLES[status] ?? 'Error', detail, [], {}, scimType ? { scimType } : {});
}

/** Problems thrown by shared code (schema validation, auth, rate limits) keep their status and detail; a 400 of theirs is invalidSyntax. */
export function scimErrorBody(problem: ProblemError): Record<string, unknown> {
  const json = problem.toJSON() as { detail: string; scimType?: string; errors?: Array<{ pointer: string; message: string }> };
  const scimType = json.scimType ?? (problem.status === 400 ? 'invalidSyntax' : undefined);
  const detail = json.errors?.length ? `${json.detail}: ${json.errors.map((e) => `${e.pointer} ${e.message}`).join('; ')}` : json.detail;
  return { schemas: [SCIM_ERROR], status: String(problem.status), ...(scimType ? { scimType } : {}), detail };
}
