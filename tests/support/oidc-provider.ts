// A real OpenID Connect provider (oidc-provider v9) on a loopback port inside the test process, with one confidential client and scripted accounts.
import { generateKeyPairSync } from 'node:crypto';
import http from 'node:http';
import { freePort } from '../../platform/servers/ports';

export interface TestAccount {
  email: string;
  name: string;
  /** null: the claim is left out, as some providers do. */
  email_verified?: boolean | null;
  roles?: string[];
  organisation?: string;
}

export interface TestProvider {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** By login name (what the dev login form accepts); change an entry to change the claims of the next login. */
  accounts: Map<string, TestAccount>;
  stop(): Promise<void>;
}

export const TEST_CLIENT = { id: 'guichet-desk', secret: 'guichet-desk-secret-for-tests-only-0123456789' };

/** oidc-provider ships no TypeScript types; this is the little of its API the tests use. */
interface ProviderInstance {
  callback(): http.RequestListener;
  on(event: string, listener: (...args: unknown[]) => void): void;
}

export async function startOidcProvider(opts: { redirectUris: string[]; accounts: Record<string, TestAccount>; port?: number }): Promise<TestProvider> {
  const port = opts.port ?? (await freePort());
  const issuer = `http://127.0.0.1:${port}`;
  const accounts = new Map(Object.entries(opts.accounts));
  const { default: Provider } = (await import('oidc-provider' as string)) as { default: new (issuer: string, config: object) => ProviderInstance };

  const signingKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });
  // Its development-only warnings (login forms, in-memory storage) are what a test provider wants; keep them out of the test output.
  const warn = console.warn;
  console.warn = (...args: unknown[]) => (String(args[0]).includes('development-only') ? undefined : warn(...args));
  let provider: ProviderInstance;
  try {
    provider = new Provider(issuer, {
      clients: [
        {
          client_id: TEST_CLIENT.id,
          client_secret: TEST_CLIENT.secret,
          redirect_uris: opts.redirectUris,
          grant_types: ['authorization_code'],
          response_types: ['code'],
          token_endpoint_auth_method: 'client_secret_basic',
        },
      ],
      // The dev login form's "login" field is the account id.
      async findAccount(_ctx: unknown, id: string) {
        const account = accounts.get(id);
        if (!account) return undefined;
        return {
          accountId: id,
          async claims() {
            const current = accounts.get(id) ?? account;
            return {
              sub: id,
              email: current.email,
              ...(current.email_verified === null ? {} : { email_verified: current.email_verified ?? true }),
              name: current.name,
              roles: current.roles ?? [],
              ...(current.organisation ? { organisation: current.organisation } : {}),
            };
          },
        };
      },
      claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name', 'organisation'], roles: ['roles'] },
      scopes: ['openid', 'email', 'profile', 'roles'],
      features: { devInteractions: { enabled: true } },
      pkce: { required: () => true },
      cookies: { keys: ['oidc-test-cookie-key-0123456789'] },
      jwks: { keys: [{ ...signingKey, kid: 'test-signing-key', use: 'sig', alg: 'RS256' }] },
      ttl: { AccessToken: 600, AuthorizationCode: 60, IdToken: 600, Interaction: 600, Session: 3600, Grant: 3600 },
    });
  } finally {
    console.warn = warn;
  }
  provider.on('server_error', (_ctx, err) => process.stderr.write(`oidc-provider server_error: ${String((err as Error)?.stack ?? err)}\n`));

  const server = http.createServer(provider.callback());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return {
    issuer,
    clientId: TEST_CLIENT.id,
    clientSecret: TEST_CLIENT.secret,
    accounts,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
