// Streamed uploads as a browser or proxy may send them: chunked, without Content-Length, so the size is only known as
// the bytes arrive.
import http from 'node:http';
import type { Session } from './http';

/** Sends `pieces` one write each (a single buffer goes in 64 KiB writes); the answer, even an early 413. */
export function uploadChunked(s: Session, ticketId: string, filename: string, pieces: Buffer | Buffer[], type: string) {
  const writes = Array.isArray(pieces) ? pieces : Array.from({ length: Math.ceil(pieces.length / 65_536) }, (_, i) => pieces.subarray(i * 65_536, (i + 1) * 65_536));
  return new Promise<{ status: number; body: any }>((resolve, reject) => {
    const req = http.request(`${s.base}/api/tickets/${ticketId}/attachments?filename=${encodeURIComponent(filename)}&visibility=public`, {
      method: 'POST',
      headers: { 'content-type': type, 'transfer-encoding': 'chunked', cookie: (s as unknown as { cookie: string }).cookie, 'x-csrf-token': s.csrf },
    }, (res) => {
      let raw = '';
      res.on('data', (c) => (raw += c));
      res.on('end', () => resolve({ status: res.statusCode!, body: raw ? JSON.parse(raw) : undefined }));
    });
    // The server may answer 413 and close before every piece is sent.
    req.on('error', (err) => (('code' in err && (err.code === 'EPIPE' || err.code === 'ECONNRESET')) ? undefined : reject(err)));
    for (const p of writes) req.write(p);
    req.end();
  });
}
