// On SIGTERM the API first fails its readiness check while still answering requests for DRAIN_SECONDS (so a proxy takes
// it out of rotation without refusing anyone), then finishes in-flight requests and exits.
import { spawnTs } from '../../platform/processes';
import { freePort, waitForPort } from '../../platform/servers/ports';
import { ADMIN, Session, eventually } from '../support/http';

it('should fail readiness but keep serving while it drains, then exit cleanly', async () => {
  const port = await freePort();
  const api = spawnTs('api', 'api/main.ts', {
    ...process.env,
    PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_PASSWORD: ADMIN.password,
    TEMPORAL_TASK_QUEUE: process.env.GUICHET_TEST_TASK_QUEUE,
    MAIL_INBOUND_PORT: '0',
    DRAIN_SECONDS: '3',
  }, { stdio: process.env.TEST_SERVER_LOGS ? 'inherit' : 'ignore' });
  try {
    await api.ready;
    await waitForPort(port, 10_000);
    const base = `http://127.0.0.1:${port}`;
    const admin = await Session.login(ADMIN.email, ADMIN.password, base);
    expect((await fetch(`${base}/readyz`)).status).toBe(200);

    const exited = new Promise<number | null>((resolve) => api.process.once('exit', (code) => resolve(code)));
    api.process.kill('SIGTERM');
    const draining = await eventually(async () => {
      const r = await fetch(`${base}/readyz`);
      return r.status === 503 ? r : undefined;
    }, 2_000, 50);
    expect(draining.headers.get('content-type')).toContain('application/problem+json');
    expect((await draining.json()).detail).toMatch(/draining/);
    // Still serving real work meanwhile.
    const list = await admin.get('/api/tickets?limit=1');
    expect(list.status).toBe(200);
    expect(await exited).toBe(0);
    await expect(fetch(`${base}/healthz`)).rejects.toThrow();
  } finally {
    await api.stop();
  }
}, 60_000);
