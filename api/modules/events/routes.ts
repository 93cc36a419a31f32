// GET /api/events/stream: server-sent events of ticket changes for the signed-in console.
// Mounted on the router beside the route table on purpose: a stream never ends, which the OpenAPI request/response
// model (and the fuzzer driven by it) cannot describe; it takes no input besides the session and Last-Event-ID.
import type Router from '@koa/router';
import { ProblemError, unauthorized } from '../../http/problem';
import type { TokenService } from '../tokens/service';
import type { AuthService } from '../auth/service';
import { SESSION_COOKIE } from '../auth/service';
import type { AuthUser } from '../auth/types';
import type { TicketEventHub } from './hub';

export const EVENTS_PATH = '/api/events/stream';

export function eventRoutes(router: Router, hub: TicketEventHub, auth: AuthService, tokens: TokenService): void {
  router.get(EVENTS_PATH, (ctx) => {
    const user = ctx.state.user as AuthUser | undefined;
    if (!user) throw unauthorized();
    if (user.tokenScope === 'scim') throw new ProblemError(403, 'insufficient-scope', 'Forbidden', "a token of scope 'scim' reaches the SCIM service only");
    const cookie = ctx.cookies.get(SESSION_COOKIE);
    // Re-checked on each heartbeat: a logout, a revoked token, a disabled account, a changed role or organisation ends the stream, since
    // what it may carry was decided with the rights the caller had when it opened.
    const bearer = /^Bearer\s+(\S+)$/i.exec(ctx.get('authorization'))?.[1];
    const current = async () => (bearer ? tokens.authenticate(bearer) : cookie ? auth.userForSession(cookie) : null);
    const stillValid = async () => {
      const now = await current();
      return now !== null && now.id === user.id && now.role === user.role && now.customRole === user.customRole && now.organisationId === user.organisationId;
    };
    const lastEventId = ctx.get('last-event-id') || (typeof ctx.query.lastEventId === 'string' ? ctx.query.lastEventId : undefined);
    ctx.req.socket.setTimeout(0);
    ctx.req.socket.setNoDelay(true);
    ctx.set('Cache-Control', 'no-cache, no-transform');
    ctx.set('X-Accel-Buffering', 'no');
    ctx.type = 'text/event-stream';
    ctx.status = 200;
    const stream = hub.subscribe(user, stillValid, lastEventId);
    // The browser leaving ends the stream, which unsubscribes it.
    ctx.req.on('close', () => stream.end());
    ctx.body = stream;
  });
}
