/**
 * `ramp server`'s HTTP application: request log, body limit, authentication, rate limit, the
 * routes, and the one error handler that answers `{ error, message, hint }`. Stateless: every
 * answer comes from Temporal (one shared connection) and the server's pipelines directory.
 */
import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { readSnapshot } from '../cli/temporal-backend.js';
import { rampVersion } from '../cli/version.js';
import { DecisionChannel } from '../src/identity/decision.js';
import { browserLoginRoutes } from './auth/browser-login.js';
import { requestAuthenticator } from './auth/cookie-credential.js';
import { sessionKeys } from './auth/session-keys.js';
import type { AppEnv, ServerContext, ServerOptions } from './context.js';
import { decisionSigner } from './decisions.js';
import { ApiError, apiErrorOf } from './errors.js';
import { DEFAULT_LIMITS, RateLimiter } from './limits.js';
import { errorEvent, requestEvent } from './log.js';
import { httpMetrics } from './http-metrics.js';
import { installProcessMetrics } from '../src/observability/process-metrics.js';
import { installVisibilityCollector, VisibilityCollector } from '../src/observability/visibility-collector.js';
import { openApiDocument } from './openapi.js';
import { commandRoutes } from './routes/commands.js';
import { eventRoutes } from './routes/events.js';
import { slackRoutes } from './integrations/slack/routes.js';
import { approvalLinkRoutes, withoutLinkToken } from './links/routes.js';
import { freezeRoutes } from './routes/freeze.js';
import { healthRoutes } from './routes/health.js';
import { metricsRoutes } from './routes/metrics.js';
import { meRoutes } from './routes/me.js';
import { doraRoutes } from './routes/dora.js';
import { pipelineRoutes } from './routes/pipelines.js';
import { guardRoutes } from './routes/guard.js';
import { policyRoutes } from './routes/policies.js';
import { auditRoutes } from './routes/audit.js';
import { promotionRoutes } from './routes/promotions.js';
import { StatusFeed } from './sse.js';
import { TemporalLink } from './temporal.js';
import { assetRoutes } from './ui/assets.js';
import { uiRoutes } from './ui/routes.js';

export interface RampServer {
  app: Hono<AppEnv>;
  context: ServerContext;
  /** Ends every event stream (shutdown: they would keep their connections open). */
  endStreams(): void;
  /** Ends every event stream and closes the Temporal connection. */
  close(): Promise<void>;
}

/** @default 1000 ms between reads of a watched promotion; 15000 ms between heartbeats */
const DEFAULT_POLL_MS = 1_000;
const DEFAULT_HEARTBEAT_MS = 15_000;

export function createServer(options: ServerOptions): RampServer {
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  const temporal = new TemporalLink(options.temporal.settings, options.logger);
  const shutdown = new AbortController();
  const context: ServerContext = {
    options,
    limits,
    temporal,
    sign: decisionSigner(options.signingKey),
    feed: new StatusFeed(async (id) => readSnapshot(await temporal.get(), id), options.events?.pollMs ?? DEFAULT_POLL_MS),
    shutdown: shutdown.signal,
    heartbeatMs: options.events?.heartbeatMs ?? DEFAULT_HEARTBEAT_MS,
  };
  const limiter = new RateLimiter(limits.ratePerSecond, limits.rateBurst);
  const app = new Hono<AppEnv>();
  const sessions = options.browser ? sessionKeys(options.signingKey) : null;
  installProcessMetrics('server', rampVersion());
  const uninstallCollector = installVisibilityCollector(
    new VisibilityCollector(
      async () => (await temporal.get()).client,
      (message) => options.logger.error({ msg: message }),
    ),
  );
  const authenticate = requestAuthenticator(options.authenticator, sessions);

  const fail = (c: Context, error: unknown) => {
    const failure = apiErrorOf(error);
    // A bug: its stack. Temporal or a worker not answering: why, in the words of the cause.
    const credential = c.req.header('authorization');
    if (failure.status === 500) options.logger.error(errorEvent(`${c.req.method} ${truncate(c.req.path)} failed`, failure.cause ?? error, credential));
    if (failure.status === 503)
      options.logger.error(errorEvent(`${c.req.method} ${truncate(c.req.path)}: unavailable`, messageOf(failure.cause ?? error), credential));
    for (const [name, value] of Object.entries(failure.headers)) c.header(name, value);
    return c.json(failure.body(), failure.status);
  };
  app.onError((error, c) => fail(c, error));
  app.notFound((c) => fail(c, new ApiError(404, `no route ${c.req.method} ${truncate(c.req.path)}`, { hint: 'GET /api/v1/openapi.json lists the routes' })));

  // The server's metrics (docs/metrics.md): its requests by route pattern, its refusals.
  app.use(httpMetrics());
  app.use(async (c, next) => {
    const started = performance.now();
    await next();
    const actor = c.get('actor') as AppEnv['Variables']['actor'] | undefined;
    const error =
      c.res.status >= 400
        ? (
            (await c.res
              .clone()
              .json()
              .catch(() => null)) as { error?: string } | null
          )?.error
        : undefined;
    options.logger.info(
      requestEvent(
        {
          method: c.req.method,
          path: truncate(c.req.path),
          status: c.res.status,
          ms: performance.now() - started,
          actor: actor?.subject ?? null,
          ...(error ? { error } : {}),
        },
        c.req.header('authorization'),
      ),
    );
  });

  healthRoutes(app, context);
  metricsRoutes(app);
  const document = openApiDocument(rampVersion());
  app.get('/api/v1/openapi.json', (c) => c.json(document));
  browserLoginRoutes(app, options.browser, sessions);
  uiRoutes(app, context, options.browser ? sessions : null);
  assetRoutes(app);
  approvalLinkRoutes(app, context, options.browser ? sessions : null);
  slackRoutes(app, context);

  app.use(
    '/api/v1/*',
    bodyLimit({ maxSize: limits.bodyBytes, onError: () => Promise.reject(new ApiError(413, `the request body is larger than ${limits.bodyBytes} bytes`)) }),
  );
  app.use('/api/v1/*', async (c, next) => {
    let actor;
    try {
      actor = await authenticate(c.req.raw);
    } catch (error) {
      // Refused credentials count against the address: guessing tokens is rate limited too.
      rateLimit(limiter, `address:${addressOf(c.env)}`);
      throw error;
    }
    rateLimit(limiter, `subject:${actor.issuer}\u0000${actor.subject}`);
    c.set('actor', actor);
    // No Authorization header and still authenticated: the browser session cookie.
    c.set('channel', c.req.header('authorization') === undefined ? DecisionChannel.Web : DecisionChannel.Cli);
    await next();
  });
  meRoutes(app);
  promotionRoutes(app, context);
  eventRoutes(app, context);
  commandRoutes(app, context);
  pipelineRoutes(app, context);
  doraRoutes(app, context);
  freezeRoutes(app, context);
  guardRoutes(app, context);
  policyRoutes(app, context);
  auditRoutes(app, context);

  return {
    app,
    context,
    endStreams() {
      uninstallCollector();
      shutdown.abort();
      context.feed.close();
    },
    async close() {
      this.endStreams();
      await temporal.close();
    },
  };
}

function rateLimit(limiter: RateLimiter, key: string): void {
  const wait = limiter.take(key);
  if (wait > 0) throw new ApiError(429, `too many requests from this client; try again in ${wait} s`, { headers: { 'Retry-After': String(wait) } });
}

/** The peer's address (@hono/node-server's bindings); `unknown` without a socket (app.request in tests). */
function addressOf(bindings: unknown): string {
  const socket = (bindings as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming?.socket;
  return socket?.remoteAddress ?? 'unknown';
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** At most 200 characters, and never an approval link's token (a path /approve/<token> is logged as /approve/…). */
function truncate(text: string): string {
  const shown = withoutLinkToken(text);
  return shown.length > 200 ? `${shown.slice(0, 200)}…` : shown;
}
