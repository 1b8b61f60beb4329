/**
 * What `ramp server` records about the requests it answers (docs/metrics.md): every answer,
 * by route PATTERN (Hono's matched route, e.g. /api/v1/promotions/:id — never the path itself,
 * which carries ids), method and status; its duration (a stream's: to its first byte); and the
 * refusals (401, 403, 413, 429) by reason. Every answer passes through this one middleware,
 * also those the error handler makes and those routes make themselves (the approval-link pages).
 */
import type { Context, MiddlewareHandler } from 'hono';
import { matchedRoutes } from 'hono/route';
import { labelValue } from '../src/observability/record-fact.js';
import { rampMetric } from '../src/observability/registry.js';
import { ErrorCode } from './errors.js';

/** Statuses that are refusals, with their reason label (the answer's `error` code). */
export const REFUSALS: Readonly<Record<number, string>> = {
  401: ErrorCode[401],
  403: ErrorCode[403],
  413: ErrorCode[413],
  429: ErrorCode[429],
};

/** A request no route matched (only middlewares): one label, not its path. */
export const UNMATCHED = 'unmatched';

/**
 * The pattern of the route the request was for: the last matched handler (middlewares are
 * registered for ALL methods), also when a middleware refused it before it ran (a 401 of
 * /api/v1/promotions/:id is counted there); UNMATCHED when only middlewares matched.
 */
export function routeLabel(c: Context): string {
  const handler = matchedRoutes(c).findLast((route) => route.method !== 'ALL');
  return handler ? labelValue(handler.path) : UNMATCHED;
}

/** Methods as labels: the usual ones, anything else as `other` (a method is the client's to choose). */
const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

export function httpMetrics(): MiddlewareHandler {
  return async (c, next) => {
    const started = performance.now();
    await next();
    const route = routeLabel(c);
    const method = METHODS.has(c.req.method) ? c.req.method : 'other';
    const status = c.res.status;
    rampMetric('ramp_http_requests_total').inc({ route, method, status: String(status) });
    rampMetric('ramp_http_request_duration_seconds').observe({ route, method }, (performance.now() - started) / 1000);
    const refusal = REFUSALS[status];
    if (refusal !== undefined) rampMetric('ramp_refusals_total').inc({ reason: refusal });
  };
}
