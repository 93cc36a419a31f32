// The error tree every route throws: each error carries an HTTP status and a stable problem type, mapped to RFC 9457 in one place.
export interface FieldError {
  pointer: string;
  message: string;
}

export class ProblemError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly title: string,
    detail: string,
    readonly errors: FieldError[] = [],
    readonly headers: Record<string, string> = {},
    /** RFC 9457 extension members, beside the standard ones (e.g. what a client needs for its next step). */
    readonly extensions: Record<string, unknown> = {},
  ) {
    super(detail);
  }

  get type(): string {
    return `https://guichet.dev/problems/${this.code}`;
  }

  toJSON(instance?: string) {
    return {
      type: this.type,
      title: this.title,
      status: this.status,
      detail: this.message,
      ...(instance ? { instance } : {}),
      ...(this.errors.length ? { errors: this.errors } : {}),
      ...this.extensions,
    };
  }
}

export const badRequest = (detail: string, errors: FieldError[] = [], code = 'bad-request') => new ProblemError(400, code, 'Bad request', detail, errors);
export const unauthorized = (detail = 'authentication required') => new ProblemError(401, 'unauthorized', 'Unauthorized', detail);
export const forbidden = (detail = 'you may not do this') => new ProblemError(403, 'forbidden', 'Forbidden', detail);
export const notFound = (detail = 'not found') => new ProblemError(404, 'not-found', 'Not found', detail);
export const conflict = (detail: string, code = 'conflict') => new ProblemError(409, code, 'Conflict', detail);
export const unprocessable = (detail: string, errors: FieldError[] = [], code = 'validation-failed') => new ProblemError(422, code, 'Unprocessable content', detail, errors);
export const tooMany = (detail: string, retryAfterSeconds: number) =>
  new ProblemError(429, 'too-many-requests', 'Too many requests', detail, [], { 'Retry-After': String(retryAfterSeconds) });
export const unavailable = (detail: string, retryAfterSeconds = 5) =>
  new ProblemError(503, 'service-unavailable', 'Service unavailable', detail, [], { 'Retry-After': String(retryAfterSeconds) });
