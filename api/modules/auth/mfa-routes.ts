// Two-step sign-in over HTTP: its state, a secret to scan, the first code that turns it on (answering recovery codes),
// and turning it off with a code. Its owner only, signed in (not with an API token).
import type { RouteTable } from '../../http/routes';
import type { MfaService } from './mfa';

const codeBody = { type: 'object', required: ['code'], additionalProperties: false, properties: { code: { type: 'string', minLength: 6, maxLength: 20 } } } as const;

export function mfaRoutes(table: RouteTable, mfa: MfaService): void {
  table.add({
    method: 'get',
    path: '/api/auth/mfa',
    summary: 'Whether two-step sign-in is on for the caller, and how many recovery codes are left',
    tag: 'auth',
    auth: 'user',
    responses: { 200: { description: 'State', schema: { type: 'object', properties: { enabled: { type: 'boolean' }, recoveryCodesLeft: { type: 'integer' } } } } },
    handler: async ({ user }) => ({ body: await mfa.status(user) }),
  });
  table.add({
    method: 'post',
    path: '/api/auth/mfa/totp',
    summary: 'Start two-step sign-in: a new TOTP secret and its otpauth:// URI for an authenticator app (pending until confirmed)',
    tag: 'auth',
    auth: 'user',
    responses: {
      201: { description: 'The secret to enter or scan', schema: { type: 'object', properties: { secret: { type: 'string' }, otpauthUri: { type: 'string' } } } },
      403: { description: 'With an API token' },
      409: { description: 'Already on, or a single sign-on account' },
    },
    handler: async ({ user }) => ({ status: 201, body: await mfa.begin(user) }),
  });
  table.add<{ code: string }>({
    method: 'post',
    path: '/api/auth/mfa/totp/confirm',
    summary: 'Turn two-step sign-in on with a first code from the app; answers ten recovery codes, shown this once',
    tag: 'auth',
    auth: 'user',
    body: codeBody,
    responses: {
      200: { description: 'On', schema: { type: 'object', properties: { recoveryCodes: { type: 'array', items: { type: 'string' } } } } },
      403: { description: 'With an API token' },
      409: { description: 'Not started, or already on' },
      422: { description: 'Wrong code' },
    },
    handler: async ({ user, body }) => ({ body: await mfa.confirm(user, body.code) }),
  });
  table.add<{ code: string }>({
    method: 'post',
    path: '/api/auth/mfa/totp/disable',
    summary: 'Turn two-step sign-in off, with a current code or a recovery code',
    tag: 'auth',
    auth: 'user',
    body: codeBody,
    responses: { 204: { description: 'Off' }, 403: { description: 'With an API token' }, 422: { description: 'Wrong code' } },
    handler: async ({ user, body }) => {
      await mfa.disable(user, body.code);
      return { status: 204 };
    },
  });
}
