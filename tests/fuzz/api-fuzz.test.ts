// Fuzzes the HTTP API from its own OpenAPI document with schemathesis: no 5xx, and every response matches its documented status, type and schema.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { freshDatabaseUrl, startDesk, type Desk } from '../support/desk';
import { ADMIN, Session, unique } from '../support/http';

const root = path.resolve(import.meta.dirname, '..', '..');
const st = path.join(process.env.GUICHET_TOOLS_DIR ?? path.join(root, '.tools'), 'venv', 'bin', 'st');
let desk: Desk;
/** Made before any fuzzing: the fuzzer changes the admin's password on its way. */
const tokens = { admin: '', scim: '' };

// The fuzzer creates users, publishes definitions and rewrites routing: it gets a database of its own.
beforeAll(async () => {
  desk = await startDesk({ taskQueue: unique('fuzz'), env: { DATABASE_URL: await freshDatabaseUrl('fuzz') } });
  const admin = await Session.login(ADMIN.email, ADMIN.password, desk.url);
  for (const [name, scope] of [['fuzzer', 'admin'], ['idp fuzzer', 'scim']] as const) {
    const made = await admin.post('/api/tokens', { name, scope });
    // Without its token the fuzzer would only report 401s: say why the token is missing instead.
    if (made.status !== 201) throw new Error(`creating the ${scope} token failed: ${made.status} ${JSON.stringify(made.body)}`);
    tokens[scope] = made.body.token as string;
  }
  // The fuzzer reads the document with the admin token first: a token the desk does not know fails here, saying why.
  const doc = await fetch(`${desk.url}/api/openapi.json`, { headers: { authorization: `Bearer ${tokens.admin}` } });
  if (doc.status !== 200) throw new Error(`the desk refuses its own admin token: ${doc.status} ${await doc.text()} (token ${tokens.admin.slice(0, 8)}…)`);
  const scim = await fetch(`${desk.url}/scim/v2/ServiceProviderConfig`, { headers: { authorization: `Bearer ${tokens.scim}` } });
  if (scim.status !== 200) throw new Error(`the desk refuses its own SCIM token: ${scim.status} ${await scim.text()}`);
});
afterAll(async () => desk?.stop());

/** Runs schemathesis over the document's operations (those `pathRegex` picks, when given) with `token`: its exit code and output. */
function fuzz(token: string, extra: string[]): Promise<{ code: number; output: string }> {
  const examples = process.env.FUZZ_MAX_EXAMPLES ?? '25';
  return new Promise((resolve) => {
    execFile(
      st,
      [
        'run', `${desk.url}/api/openapi.json`,
        '--header', `Authorization: Bearer ${token}`,
        '--checks', 'not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance',
        '--phases', 'examples,fuzzing',
        '--max-examples', examples,
        '--request-timeout', '30',
        '--seed', '20261124',
        '--no-color',
        ...extra,
      ],
      { timeout: 600_000, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, SCHEMATHESIS_TELEMETRY: 'false' } },
      (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, output: `${stdout}\n${stderr}` }),
    );
  });
}

function expectAllPassed({ code, output }: { code: number; output: string }, atLeast: number): void {
  const summary = /(\d+) generated, (\d+) passed/.exec(output);
  // Generated values can be kilobytes long: cut each line so the failures themselves stay readable.
  if (code !== 0 || !summary) console.error(output.split('\n').map((l) => (l.length > 400 ? `${l.slice(0, 400)}…` : l)).join('\n').slice(-30000));
  expect(code).toBe(0);
  expect(summary).not.toBeNull();
  expect(Number(summary![1])).toBeGreaterThanOrEqual(atLeast);
  expect(summary![2]).toBe(summary![1]);
}

// The SCIM run goes first: the general run may revoke tokens or disable accounts on its way (it rewrites the desk
// freely), which left the SCIM token refused (401) when it ran second; the SCIM run only reaches SCIM's own users.
it('should fuzz the SCIM service with a SCIM token, answering in SCIM form', async () => {
  expectAllPassed(await fuzz(tokens.scim, ['--include-path-regex', '^/scim/']), 100);
}, 600_000);

it('should survive thousands of generated requests without a server error or an undocumented answer', async () => {
  const token = tokens.admin;
  // SSO redirects to a provider this desk does not have; logging out would end the fuzzer's own session.
  expectAllPassed(await fuzz(token, ['--exclude-path-regex', 'oidc|logout']), 1000);
  // As long as schemathesis itself may take (its execFile timeout): every feature adds operations to fuzz, and the desk must outlive the run.
}, 600_000);
