// Two-step sign-in over HTTP: its state, a secret to scan, the first code that turns it on (answering recovery codes),
// and turning it off with a code. Its owner only, signed in (not with an API token).
import type { RouteTable } from '../../http/routes';
import type { MfaService } from './mfa';
import type { PasskeyService } from './passkeys';
import { listOf } from '../../http/shapes';

const codeBody = { type: 'object', required: ['code'], additionalProperties: false, properties: { code: { type: 'string', minLength: 6, maxLength: 20 } } } as const;

export function mfaRoutes(table: RouteTable, mfa: MfaService): void {
  table.add({
    method: 'get',
    path: '/api/auth/mfa',
    summary: 'Whether two-step sign-in is on for the caller, and how many recovery codes are left',
    tag: 'auth',
    auth: 'user',
    responses: { 200: { description: 'State', schema: { type: 'object', required: ['enabled', 'recoveryCodesLeft'], properties: { enabled: { type: 'boolean' }, recoveryCodesLeft: { type: 'integer' } } } } },
    handler: async ({ user }) => ({ body: await mfa.status(user) }),
  });
  table.add({
    method: 'post',
    path: '/api/auth/mfa/totp',
    summary: 'Start two-step sign-in: a new TOTP secret and its otpauth:// URI for an authenticator app (pending until confirmed)',
    tag: 'auth',
    auth: 'user',
    responses: {
      201: { description: 'The secret to enter or scan', schema: { type: 'object', required: ['secret', 'otpauthUri'], properties: { secret: { type: 'string' }, otpauthUri: { type: 'string' } } } },
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
      200: { description: 'On', schema: { type: 'object', required: ['recoveryCodes'], properties: { recoveryCodes: { type: 'array', items: { type: 'string' } } } } },
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

export function passkeyRoutes(table: RouteTable, passkeys: PasskeyService): void {
  const passkeySchema = { title: 'Passkey', type: 'object', required: ['id', 'name', 'createdAt', 'lastUsedAt'], properties: { id: { type: 'string' }, name: { type: 'string' }, createdAt: { type: 'string', format: 'date-time' }, lastUsedAt: { type: ['string', 'null'], format: 'date-time' } } } as const;
  table.add({
    method: 'get',
    path: '/api/auth/mfa/passkeys',
    summary: "The caller's passkeys (second sign-in step)",
    tag: 'auth',
    auth: 'user',
    responses: { 200: { description: 'Passkeys', schema: listOf(passkeySchema) } },
    handler: async ({ user }) => ({ body: { items: await passkeys.list(user) } }),
  });
  table.add({
    method: 'post',
    path: '/api/auth/mfa/passkeys/options',
    summary: 'Start registering a passkey: WebAuthn creation options (PublicKeyCredentialCreationOptionsJSON) for this origin, with a challenge valid 5 minutes',
    tag: 'auth',
    auth: 'user',
    responses: { 200: { description: 'Options for navigator.credentials.create', schema: { type: 'object' } }, 403: { description: 'With an API token' } },
    handler: async ({ user, ctx }) => ({ body: await passkeys.registrationOptions(user, { origin: ctx.origin, rpID: ctx.hostname }) }),
  });
  table.add<{ name: string; response: never }>({
    method: 'post',
    path: '/api/auth/mfa/passkeys',
    summary: "Register a passkey from the browser's answer (RegistrationResponseJSON) to the options just issued",
    tag: 'auth',
    auth: 'user',
    body: { type: 'object', required: ['name', 'response'], additionalProperties: false, properties: { name: { type: 'string', minLength: 1, maxLength: 80, pattern: '\\S' }, response: { type: 'object' } } },
    responses: { 201: { description: 'Registered', schema: passkeySchema }, 403: { description: 'With an API token' }, 409: { description: 'Already registered' }, 422: { description: 'Not verified (wrong origin, unknown or used challenge…)' } },
    handler: async ({ user, body, ctx }) => ({ status: 201, body: await passkeys.register(user, body.response, body.name, { origin: ctx.origin, rpID: ctx.hostname }) }),
  });
  table.add({
    method: 'delete',
    path: '/api/auth/mfa/passkeys/:credential',
    summary: 'Remove one of your passkeys',
    tag: 'auth',
    auth: 'user',
    responses: { 204: { description: 'Removed' }, 403: { description: 'With an API token' }, 404: { description: 'No such passkey of yours' } },
    handler: async ({ user, params }) => {
      await passkeys.remove(user, params.credential);
      return { status: 204 };
    },
  });
}
