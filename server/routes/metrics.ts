/**
 * GET /metrics: the server's Prometheus exposition (docs/metrics.md), without credentials — a
 * Prometheus scrapes with none. It shows counts by pipeline, stage and route pattern, never a
 * version, a promotion id, a person or a secret.
 */
import type { Hono } from 'hono';
import { EXPOSITION_CONTENT_TYPE, rampExposition } from '../../src/observability/exposition.js';
import type { AppEnv } from '../context.js';

export function metricsRoutes(app: Hono<AppEnv>): void {
  const exposition = rampExposition();
  app.get('/metrics', async (c) => c.body(await exposition.text(), 200, { 'content-type': EXPOSITION_CONTENT_TYPE, 'cache-control': 'no-store' }));
}
