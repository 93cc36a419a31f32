// Assembles the Koa application: request ids and logs, problem+json errors, security headers, body limits, auth, routes, docs and the console.
import { randomUUID } from 'node:crypto';
import Koa from 'koa';
import { bodyParser } from '@koa/bodyparser';
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Logger } from '../platform/logger';
import { badRequest, ProblemError, unavailable } from './http/problem';
import { RouteTable } from './http/routes';
import { RateLimiter } from './http/rate-limit';
import { LoginThrottle } from './modules/auth/login-throttle';
import { serveWeb } from './http/static';
import { buildOpenApi } from './openapi';
import { toProblem } from './temporal-errors';
import { authenticate } from './modules/auth/middleware';
import { authRoutes } from './modules/auth/routes';
import { AuthService } from './modules/auth/service';
import { definitionRoutes } from './modules/definitions/routes';
import { DefinitionRepository } from './modules/definitions/repository';
import { DefinitionService } from './modules/definitions/service';
import { DefinitionMigrator } from './modules/definitions/migration';
import { healthRoutes } from './modules/health/routes';
import { ticketRoutes } from './modules/tickets/routes';
import { Backpressure } from './modules/tickets/backpressure';
import { TimerCalendar } from './modules/tickets/timer-calendar';
import type { ObjectStore } from './modules/attachments/object-store';
import { AttachmentBytes } from './modules/attachments/bytes';
import { peopleRoutes } from './modules/people/routes';
import { PeopleService } from './modules/people/service';
import { settingsRoutes } from './modules/settings/routes';
import { macroRoutes } from './modules/macros/routes';
import { MfaService } from './modules/auth/mfa';
import { mfaRoutes, passkeyRoutes } from './modules/auth/mfa-routes';
import { PasskeyService } from './modules/auth/passkeys';
import { MacroService } from './modules/macros/service';
import { timeTrackingRoutes } from './modules/timetracking/routes';
import { TimeTrackingService } from './modules/timetracking/service';
import { presenceRoutes } from './modules/presence/routes';
import { PresenceService } from './modules/presence/service';
import { SettingsService } from './modules/settings/service';
import { TicketRepository } from './modules/tickets/repository';
import { TicketService } from './modules/tickets/service';
import { TicketOpening } from './modules/tickets/opening';
import { CollaborationService } from './modules/tickets/collaboration';
import { attachmentRoutes } from './modules/attachments/routes';
import { AttachmentService } from './modules/attachments/service';
import { docsPage } from './docs';
import { userRoutes } from './modules/users/routes';
import { queueRoutes } from './modules/queues/routes';
import { iamRoutes } from './modules/iam/routes';
import { IamService } from './modules/iam/service';
import { RoleService } from './modules/iam/roles';
import { roleRoutes } from './modules/iam/roles-routes';
import { tokenRoutes } from './modules/tokens/routes';
import { TokenService } from './modules/tokens/service';
import { auditRoutes } from './modules/audit/routes';
import { AuditService } from './modules/audit/service';
import type { AuthUser } from './modules/auth/types';
import { QueueService } from './modules/queues/service';
import { oidcRoutes, type OidcRouteOptions } from './modules/oidc/routes';
import { webhookRoutes } from './modules/webhooks/routes';
import { SubscriptionService } from './modules/webhooks/subscriptions';
import { InboundService } from './modules/webhooks/inbound';
import { SecretBox } from '../platform/secret-box';
import { deliveryEnqueuer } from '../webhooks/enqueue';
import type { WebhookRetry } from '../workflows/webhook-delivery';
import { mailRoutes } from './modules/mail/routes';
import { MailService } from './modules/mail/service';
import { MailIntake } from './modules/mail/intake';
import type { MailConfig } from '../platform/config';
import type { MailTransport } from '../mail/transport';
import { TicketEventHub } from './modules/events/hub';
import { eventRoutes } from './modules/events/routes';
import { directoryRoutes } from './modules/directory/routes';
import { kbRoutes } from './modules/kb/routes';
import { KbService } from './modules/kb/service';
import { assetRoutes } from './modules/assets/routes';
import { importRoutes } from './modules/imports/routes';
import { ImportService } from './modules/imports/service';
import { AssetService } from './modules/assets/service';
import { maintenanceRoutes } from './modules/maintenance/routes';
import { MaintenanceService } from './modules/maintenance/service';
import { reportRoutes } from './modules/reports/routes';
import { ReportService } from './modules/reports/service';
import { RatingService } from './modules/reports/ratings';
import { scimRoutes } from './modules/scim/routes';
import { privacyRoutes } from './modules/privacy/routes';
import { ldapRoutes } from './modules/ldap/routes';
import { catalogueRoutes } from './modules/catalogue/routes';
import { slaPolicyRoutes } from './modules/sla-policies/routes';
import { availabilityRoutes } from './modules/availability/routes';
import { AvailabilityService } from './modules/availability/service';
import { SlaPolicyService } from './modules/sla-policies/service';
import { OfferingService } from './modules/catalogue/offerings';
import { CatalogueRequests } from './modules/catalogue/requests';
import { approvalRoutes } from './modules/approvals/routes';
import { ticketTypeRoutes } from './modules/ticket-types/routes';
import { ruleRoutes } from './modules/rules/routes';
import { RuleService } from './modules/rules/service';
import { rulesBroadcastWorkflowId } from '../workflows/ticket-messages';
import { TicketTypeService } from './modules/ticket-types/service';
import { ApprovalService } from './modules/approvals/service';
import type { PluginSet } from '../platform/plugins/loader';
import { mountPluginRoutes, pluginAdminRoutes, pluginPageRoutes, pluginPanelRoutes, publicPluginRoutes } from './modules/plugins/routes';
import { PluginPages } from './modules/plugins/pages';
import { PluginPanels } from './modules/plugins/panels';
import { definitionPluginErrors, pluginActionCheck } from './modules/plugins/definition-check';
import { PluginAdmin } from './modules/plugins/service';
import { PluginSchedules } from './modules/plugins/schedules';
import { pluginTickets } from './modules/plugins/tickets';
import { UndeliverableAddresses } from './modules/mail/undeliverable';
import { SCIM_CONTENT_TYPE, scimErrorBody } from './modules/scim/errors';

export interface AppDeps {
  /** New attachments go here (ATTACHMENTS_STORE=s3); unset: into PostgreSQL. */
  objectStore?: ObjectStore;
  em: EntityManager;
  temporal: Client;
  namespace: string;
  /** New tickets are refused (503) while the workers' backlog is older than this; 0 or unset never refuses. */
  backpressureMaxBacklogSeconds?: number;
  /** SLA timers later than this (90th percentile over the last seconds) refuse new tickets too; 0 leaves them out. */
  backpressureMaxTimerLatenessMs?: number;
  /** Timer wake-ups the workers take in one second: a new ticket whose own would fall in a full second is refused; 0 leaves them out. */
  backpressureMaxTimersPerSecond?: number;
  /** Whether a reverse proxy in front of the API sets X-Forwarded-For (TRUST_PROXY). */
  trustProxy?: boolean;
  /** The Temporal Web UI, for links from a ticket to its workflow history (staff only). */
  temporalUiUrl?: string;
  taskQueue: string;
  log: Logger;
  webDist: string;
  sessionTtlHours: number;
  secureCookies: boolean;
  version: string;
  /** Requests per minute and client address on public routes (login, password reset, SSO). */
  publicRateLimit: number;
  /** OpenID Connect single sign-on; off when absent. */
  oidc?: OidcRouteOptions['oidc'];
  /** Webhook secrets' key at rest and the retry policy redeliveries start with (the worker's settings). */
  webhooks?: { secretsKey: Buffer | undefined; retry: WebhookRetry };
  /** Email settings and the outgoing transport (a disabled one when SMTP is not configured). */
  mail: MailConfig;
  mailTransport: MailTransport;
  /** Port of the inbound SMTP endpoint when it runs (shown in the admin's settings). */
  mailInboundPort?: number;
  /** Plug-ins this process loaded (PLUGINS); their routes are mounted under /api/plugins/{name}/. */
  plugins?: PluginSet;
  /** Where the live event stream LISTENs for ticket changes; without it the stream is off (404). */
  databaseUrl?: string;
}

const DEFAULT_WEBHOOK_RETRY: WebhookRetry = { initialIntervalMs: 10_000, maxIntervalMs: 3_600_000, retryWindowSeconds: 25 * 3600 };

export interface App {
  koa: Koa;
  services: { auth: AuthService; definitions: DefinitionService; tickets: TicketService; mailIntake: MailIntake; pluginSchedules: PluginSchedules };
  routes: RouteTable;
  /** From now on readiness answers 503, so a proxy stops sending new requests here while in-flight ones finish. */
  drain(): void;
  /** Ends the long-lived event streams so the HTTP server can close promptly. */
  stop(): Promise<void>;
}

const BODY_LIMIT = '1mb';
const isScim = (path: string) => path === '/scim' || path.startsWith('/scim/');

/** The database is away (refused, reset, shutting down): a retryable 503, not a 500. */
function isDatabaseUnavailable(err: unknown): boolean {
  const e = err as { name?: string; code?: string; message?: string; cause?: unknown };
  if (!e) return false;
  if (e.name === 'ConnectionException') return true;
  if (['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', '57P01', '57P02', '57P03', '08000', '08001', '08003', '08006'].includes(e.code ?? '')) return true;
  if (/ECONNREFUSED|Connection terminated|terminating connection|the database system is (starting up|shutting down)|timeout exceeded when trying to connect/i.test(e.message ?? '')) return true;
  return e.cause !== undefined && e.cause !== err && isDatabaseUnavailable(e.cause);
}

function problemFromUnknown(err: unknown): ProblemError {
  const mapped = toProblem(err);
  if (mapped) return mapped;
  if (isDatabaseUnavailable(err)) return unavailable('the database is unreachable, retry shortly');
  // A value PostgreSQL cannot read (a malformed id, date or number) is the client's mistake, never a 500.
  const code = (err as { code?: string })?.code;
  if (code === '22P02' || code === '22007' || code === '22008' || code === '22009' || code === '22003' || code === '22015') {
    return new ProblemError(400, 'invalid-value', 'Bad request', 'a value in the request is malformed', [{ pointer: '/', message: 'malformed value' }]);
  }
  // Races past a service's own checks (two creations of one key) end as conflicts, not 500s.
  if (code === '23505') return new ProblemError(409, 'conflict', 'Conflict', 'this conflicts with an existing record');
  if (code === '23503') return new ProblemError(422, 'unknown-reference', 'Unprocessable content', 'the request refers to something that does not exist');
  const e = err as { status?: number; expose?: boolean; message?: string; type?: string };
  // Koa and the body parser throw plain HTTP errors for malformed JSON, oversized or unsupported bodies.
  if (typeof e.status === 'number' && e.status >= 400 && e.status < 500) {
    const code = e.status === 413 ? 'payload-too-large' : e.status === 415 ? 'unsupported-media-type' : 'bad-request';
    const detail = e.status === 400 && e.type === 'entity.parse.failed' ? 'the body is not valid JSON' : e.expose ? (e.message ?? 'bad request') : 'bad request';
    return new ProblemError(e.status, code, code === 'bad-request' ? 'Bad request' : code.replace(/-/g, ' '), detail, e.status === 400 ? [{ pointer: '/', message: detail }] : []);
  }
  return new ProblemError(500, 'internal-error', 'Internal server error', 'an unexpected error occurred; it has been logged');
}

export function createApp(deps: AppDeps): App {
  // Trusted, the proxy's X-Forwarded-For gives the client address; only its last entry, the one the proxy itself added,
  // since a client can put anything before it.
  const koa = new Koa({ proxy: deps.trustProxy ?? false, maxIpsCount: 1 });
  const audit = new AuditService(deps.em);
  const routes = new RouteTable(
    {
      record: ({ user, action, target, ctx, subject }) =>
        audit.record({ user, action, target, outcome: 'allowed', status: ctx.status, ip: ctx.ip, requestId: ctx.state.requestId, subject }),
      snapshot: (entity, id) => audit.snapshot(entity, id),
    },
    new RateLimiter(deps.em, deps.publicRateLimit, 60_000),
  );
  const auth = new AuthService(deps.em, deps.sessionTtlHours);
  const tokens = new TokenService(deps.em);
  // Definitions and rules may name plug-in actions: only those of plug-ins loaded here, with values their schemas accept.
  const definitions = new DefinitionService(new DefinitionRepository(deps.em), definitionPluginErrors(deps.plugins ?? null));
  const queues = new QueueService(deps.em);
  const settings = new SettingsService(deps.em);
  const ticketRows = new TicketRepository(deps.em);
  const slaPolicies = new SlaPolicyService(deps.em);
  const ticketTypes = new TicketTypeService(deps.em, definitions);
  const opening = new TicketOpening(ticketRows, definitions, queues, deps.temporal, deps.taskQueue, deps.log, settings, slaPolicies, ticketTypes);
  const tickets = new TicketService(ticketRows, definitions, queues, deps.temporal, opening, settings);

  koa.use(async (ctx, next) => {
    const id = /^[\w-]{1,64}$/.test(ctx.get('x-request-id')) ? ctx.get('x-request-id') : randomUUID();
    ctx.state.requestId = id;
    ctx.set('X-Request-Id', id);
    const started = performance.now();
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined && (ctx.path.startsWith('/api/') || ctx.path === '/api' || isScim(ctx.path))) {
        throw new ProblemError(404, 'not-found', 'Not found', `no route ${ctx.method} ${ctx.path}`);
      }
      if (ctx.status === 405 && (ctx.path.startsWith('/api') || isScim(ctx.path))) throw new ProblemError(405, 'method-not-allowed', 'Method not allowed', `${ctx.method} is not allowed on ${ctx.path}`);
    } catch (err) {
      const problem = problemFromUnknown(err);
      if (problem.status >= 500) deps.log.error({ err, requestId: id, path: ctx.path }, 'request failed');
      // Every refused access is audited (an anonymous console probing its session is not a decision).
      if ((problem.status === 401 || problem.status === 403) && !(problem.status === 401 && ctx.path === '/api/auth/me')) {
        const user = ctx.state.user as AuthUser | undefined;
        // Anonymous refusals are counted per route pattern, so random ids in paths cannot multiply the rows either.
        const route = user ? ctx.path : ((ctx as unknown as { _matchedRoute?: string })._matchedRoute ?? ctx.path);
        await audit
          .record({ user, action: `${ctx.method} ${route}`, target: ctx.path, outcome: 'denied', status: problem.status, ip: ctx.ip, requestId: id, detail: { code: problem.code } })
          .catch((e) => deps.log.error({ err: e }, 'audit write failed'));
      }
      ctx.status = problem.status;
      for (const [k, v] of Object.entries(problem.headers)) ctx.set(k, v);
      // Identity providers read SCIM's own error shape; everyone else gets RFC 9457.
      ctx.type = isScim(ctx.path) ? SCIM_CONTENT_TYPE : 'application/problem+json';
      ctx.body = isScim(ctx.path) ? scimErrorBody(problem) : problem.toJSON(ctx.path);
    } finally {
      deps.log.info({ requestId: id, method: ctx.method, path: ctx.path, status: ctx.status, ms: Math.round(performance.now() - started) }, 'request');
    }
  });

  koa.use(async (ctx, next) => {
    ctx.set('X-Content-Type-Options', 'nosniff');
    ctx.set('X-Frame-Options', 'DENY');
    ctx.set('Referrer-Policy', 'same-origin');
    ctx.set('Cross-Origin-Opener-Policy', 'same-origin');
    ctx.set(
      'Content-Security-Policy',
      "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; font-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'",
    );
    await next();
  });

  koa.use(async (ctx, next) => {
    // The router and the console both decode the path; a malformed escape is the client's error, said once here.
    try {
      decodeURIComponent(ctx.path);
    } catch {
      throw badRequest('the path has a malformed percent-encoding', [], 'malformed-path');
    }
    await next();
  });

  // Uploads stream as they come, so no body parser may read them first: attachments (of their own type, JSON included)
  // and CSV imports (a file of 100,000 tickets is never held whole).
  const isUpload = (ctx: Koa.Context) => ctx.method === 'POST' && /^\/api\/(tickets\/[^/]+\/attachments|imports\/(?!request-tracker$)[^/]+)$/.test(ctx.path);
  // Plug-in routes may take forms (chat services post interactions so); each route says which it takes (routes.ts).
  // The desk's own routes under /api/plugins/ (settings, schedule runs) take JSON like every other.
  const isPluginForm = (ctx: Koa.Context) => /^\/api\/plugins\/[a-z][a-z0-9-]*\/(?!settings$|schedules\/)/.test(ctx.path) && Boolean(ctx.is('application/x-www-form-urlencoded'));
  koa.use(async (ctx, next) => {
    if (!isUpload(ctx) && !isPluginForm(ctx) && ctx.path.startsWith('/api/') && ['POST', 'PUT', 'PATCH'].includes(ctx.method) && ctx.request.length !== 0 && ctx.get('content-type') && !ctx.is('application/json')) {
      throw new ProblemError(415, 'unsupported-media-type', 'Unsupported media type', 'send the body as application/json');
    }
    if (isScim(ctx.path) && ['POST', 'PUT', 'PATCH'].includes(ctx.method) && ctx.request.length !== 0 && !ctx.is('application/scim+json', 'application/json')) {
      throw new ProblemError(415, 'unsupported-media-type', 'Unsupported media type', 'send the body as application/scim+json');
    }
    await next();
  });
  const parseJson = bodyParser({ enableTypes: ['json'], jsonLimit: BODY_LIMIT, encoding: 'utf-8' });
  const parseForm = bodyParser({ enableTypes: ['form'], formLimit: BODY_LIMIT, encoding: 'utf-8' });
  koa.use((ctx, next) => (isUpload(ctx) ? next() : isPluginForm(ctx) ? parseForm(ctx, next) : parseJson(ctx, next)));
  const twoStepRequiredFor = async () => (await settings.recent()).twoStepRequiredFor;
  const authenticated = authenticate(auth, tokens, twoStepRequiredFor, publicPluginRoutes(deps.plugins ?? null));
  // Inbound webhooks authenticate with their endpoint's own secret (a bearer token there is not an API token).
  koa.use((ctx, next) => (ctx.path.startsWith('/api/hooks/') ? next() : authenticated(ctx, next)));

  let draining = false;
  healthRoutes(routes, { em: deps.em, temporal: deps.temporal, namespace: deps.namespace, draining: () => draining });
  // One key seals every secret the desk must read back: webhook secrets and two-step sign-in secrets.
  const box = new SecretBox(deps.webhooks?.secretsKey);
  const mfa = new MfaService(deps.em, box);
  const passkeys = new PasskeyService(deps.em);
  authRoutes(routes, auth, { secureCookies: deps.secureCookies, sessionTtlHours: deps.sessionTtlHours, throttle: new LoginThrottle(deps.em), mfa, passkeys, requiredFor: twoStepRequiredFor });
  mfaRoutes(routes, mfa);
  passkeyRoutes(routes, passkeys);
  oidcRoutes(routes, auth, { oidc: deps.oidc, em: deps.em, log: deps.log, secureCookies: deps.secureCookies, sessionTtlHours: deps.sessionTtlHours });
  const people = new PeopleService(deps.em);
  const historyUrl = (workflowId: string) =>
    deps.temporalUiUrl ? `${deps.temporalUiUrl.replace(/\/$/, '')}/namespaces/${encodeURIComponent(deps.namespace)}/workflows/${encodeURIComponent(workflowId)}` : null;
  const backpressure = new Backpressure(
    deps.temporal,
    deps.namespace,
    deps.taskQueue,
    {
      maxBacklogMs: (deps.backpressureMaxBacklogSeconds ?? 0) * 1000,
      maxTimerLatenessMs: deps.backpressureMaxTimerLatenessMs ?? 0,
      maxTimersPerSecond: deps.backpressureMaxTimersPerSecond ?? 0,
    },
    { unrecorded: (ids) => ticketRows.unrecorded(ids), timerLateness: (windowMs) => ticketRows.timerLateness(windowMs), calendar: new TimerCalendar(deps.em) },
  );
  ticketRoutes(routes, tickets, new CollaborationService(deps.em, tickets), people, historyUrl, backpressure);
  const catalogueRequests = new CatalogueRequests(deps.em, tickets);
  catalogueRoutes(routes, new OfferingService(deps.em, definitions), catalogueRequests, backpressure);
  ticketTypeRoutes(routes, ticketTypes);
  ruleRoutes(
    routes,
    new RuleService(deps.em, definitions, async (generation) => {
      // One broadcast per generation: a retried request starts nothing twice. A failure leaves tickets to learn at their next event.
      await deps.temporal.workflow
        .start('rulesBroadcastWorkflow', { taskQueue: deps.taskQueue, workflowId: rulesBroadcastWorkflowId(deps.taskQueue, generation), args: [{ generation }] })
        .catch((err: unknown) => {
          if (!(err instanceof WorkflowExecutionAlreadyStartedError)) deps.log.warn({ err, generation }, 'could not tell open tickets the idle rules changed');
        });
    }, pluginActionCheck(deps.plugins ?? null)),
  );
  approvalRoutes(routes, new ApprovalService(deps.em, deps.temporal, audit, catalogueRequests));
  peopleRoutes(routes, people);
  settingsRoutes(routes, settings);
  presenceRoutes(routes, new PresenceService(deps.em, tickets));
  availabilityRoutes(routes, new AvailabilityService(deps.em, deps.temporal));
  timeTrackingRoutes(routes, new TimeTrackingService(deps.em, tickets));
  macroRoutes(routes, new MacroService(deps.em, tickets));
  const attachmentBytes = new AttachmentBytes(deps.em, deps.objectStore);
  const attachments = new AttachmentService(deps.em, tickets, attachmentBytes, () => settings.get());
  attachmentRoutes(routes, attachments);
  importRoutes(
    routes,
    new ImportService(deps.em, definitions, deps.temporal, deps.taskQueue, attachmentBytes, async () => (await settings.get()).attachmentMaxMegabytes * 1024 * 1024, deps.log),
  );
  mailRoutes(routes, new MailService(deps.em, deps.mail, deps.mailTransport, auth, deps.log, deps.mailInboundPort), new UndeliverableAddresses(deps.em), deps.log);
  const mailIntake = new MailIntake(deps.em, tickets, attachments, deps.mail, deps.log);
  definitionRoutes(routes, definitions, new DefinitionMigrator(deps.em, definitions, deps.temporal, slaPolicies));
  slaPolicyRoutes(routes, slaPolicies);
  userRoutes(routes, auth);
  queueRoutes(routes, queues);
  iamRoutes(routes, new IamService(deps.em));
  roleRoutes(routes, new RoleService(deps.em));
  tokenRoutes(routes, tokens);
  auditRoutes(routes, audit);
  webhookRoutes(
    routes,
    new SubscriptionService(deps.em, box, deliveryEnqueuer(deps.temporal, deps.taskQueue, deps.webhooks?.retry ?? DEFAULT_WEBHOOK_RETRY)),
    new InboundService(deps.em, box, tickets, backpressure),
  );
  directoryRoutes(routes, deps.em);
  const hub = deps.databaseUrl ? new TicketEventHub({ databaseUrl: deps.databaseUrl, em: deps.em, tickets, log: deps.log }) : null;
  if (hub) {
    eventRoutes(routes.router, hub, auth, tokens);
    hub.start();
  }
  kbRoutes(routes, new KbService(deps.em, tickets));
  const assets = new AssetService(deps.em);
  assetRoutes(routes, assets);
  maintenanceRoutes(routes, new MaintenanceService(deps.em, assets, tickets, definitions, deps.temporal, deps.taskQueue));
  reportRoutes(routes, new ReportService(deps.em), new RatingService(deps.em));
  scimRoutes(routes, deps.em);
  privacyRoutes(routes, deps.em, deps.temporal, deps.taskQueue, deps.log, attachmentBytes);
  ldapRoutes(routes, auth, { em: deps.em, box, temporal: deps.temporal, taskQueue: deps.taskQueue });
  const pluginSchedules = new PluginSchedules(deps.plugins ?? null, deps.temporal, deps.taskQueue);
  deps.plugins?.attachTickets(pluginTickets(deps.em, tickets));
  pluginAdminRoutes(routes, new PluginAdmin(deps.plugins ?? null, pluginSchedules), pluginSchedules);
  pluginPanelRoutes(routes, new PluginPanels(deps.plugins ?? null, deps.em, tickets));
  pluginPageRoutes(routes, new PluginPages(deps.plugins ?? null));
  // Last, so a plug-in's route never shadows one of the desk's.
  if (deps.plugins) mountPluginRoutes(routes, deps.plugins);

  const openapi = buildOpenApi(routes, deps.version);
  routes.router.get('/api/openapi.json', (ctx) => {
    ctx.body = openapi;
  });
  routes.router.get('/api/docs', (ctx) => {
    ctx.type = 'text/html; charset=utf-8';
    ctx.body = docsPage(openapi);
  });

  koa.use(routes.router.routes());
  koa.use(routes.router.allowedMethods());
  koa.use(serveWeb(deps.webDist));

  return {
    koa,
    services: { auth, definitions, tickets, mailIntake, pluginSchedules },
    routes,
    drain: () => void (draining = true),
    stop: async () => hub?.close(),
  };
}
