// The console's files: compressed for browsers that take it (Brotli, else gzip), the same bytes once decoded, hashed
// assets cached for a year, and the HTML shell revalidated by its ETag.
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import http from 'node:http';
import { Session } from '../support/http';

/** GET with exactly these headers, and the bytes as they came on the wire (fetch would decode them). */
function get(path: string, headers: Record<string, string>): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    http
      .get(new URL(path, process.env.GUICHET_TEST_URL), { headers }, (res) => {
        const parts: Buffer[] = [];
        res.on('data', (c: Buffer) => parts.push(c));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(parts) }));
      })
      .on('error', reject);
  });
}

let script = '';
beforeAll(async () => {
  const shell = await new Session().get('/');
  script = /src="(\/assets\/index-[^"]+\.js)"/.exec(shell.body as string)![1]!;
});

it('should send the console compressed, Brotli first, the same bytes once decoded', async () => {
  const plain = await get(script, { 'accept-encoding': 'identity' });
  expect(plain.status).toBe(200);
  expect(plain.headers['content-encoding']).toBeUndefined();
  const br = await get(script, { 'accept-encoding': 'gzip, deflate, br' });
  expect(br.headers['content-encoding']).toBe('br');
  expect(brotliDecompressSync(br.body).equals(plain.body)).toBe(true);
  expect(br.body.length).toBeLessThan(plain.body.length / 2);
  const gz = await get(script, { 'accept-encoding': 'gzip' });
  expect(gz.headers['content-encoding']).toBe('gzip');
  expect(gunzipSync(gz.body).equals(plain.body)).toBe(true);
  for (const res of [plain, br, gz]) {
    expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(res.headers.vary).toMatch(/accept-encoding/i);
    expect(res.headers.etag).toBe(plain.headers.etag);
    expect(res.headers.etag).toMatch(/^W\//);
  }
});

it('should answer 304 for an HTML shell the browser already has, and the shell again for any other ETag', async () => {
  const shell = await get('/tickets', { 'accept-encoding': 'br' });
  expect(shell.status).toBe(200);
  expect(shell.headers['cache-control']).toBe('no-cache');
  const again = await get('/tickets', { 'accept-encoding': 'br', 'if-none-match': shell.headers.etag! });
  expect(again.status).toBe(304);
  expect(again.body.length).toBe(0);
  const stale = await get('/tickets', { 'accept-encoding': 'br', 'if-none-match': '"not-this-one"' });
  expect(stale.status).toBe(200);
});
