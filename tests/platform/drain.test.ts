// On SIGTERM the API first fails its readiness check while still answering requests for DRAIN_SECONDS (so a proxy takes
// it out of rotation without refusing anyone), then finishes in-flight requests and exits.
import { startApiProcess } from '../support/desk';
import { ADMIN, Session, eventually } from '../support/http';

it('should fail readiness but keep serving while it drains, then exit cleanly', async () => {
  const { url: base, child: api } = await startApiProcess({ DRAIN_SECONDS: '3' });
  try {
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
