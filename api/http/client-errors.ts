// Requests Node's HTTP parser refuses before they reach Koa (a URL or headers past the 16 KiB limit, a malformed
// request line) are answered as RFC 9457 problems too, so every answer of the API has the documented shape.
import type { Server } from 'node:http';
import type { Socket } from 'node:net';

const PROBLEM_BASE = 'https://guichet.dev/problems/';

function reply(socket: Socket, status: number, reason: string, code: string, detail: string): void {
  const body = JSON.stringify({ type: `${PROBLEM_BASE}${code}`, title: reason, status, detail });
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/problem+json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

export function answerClientErrors(server: Server): void {
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => {
    // A connection reset mid-request, or one already answered: there is nobody left to tell.
    if (err.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    if (err.code === 'HPE_HEADER_OVERFLOW') reply(socket, 431, 'Request Header Fields Too Large', 'headers-too-large', 'the URL and headers together must stay under 16 KiB');
    else if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') reply(socket, 408, 'Request Timeout', 'request-timeout', 'the request did not arrive in time');
    else reply(socket, 400, 'Bad Request', 'malformed-request', 'the request is not valid HTTP');
  });
}
