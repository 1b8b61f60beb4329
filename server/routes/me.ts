/** GET /api/v1/me: who the server takes the caller for. */
import type { Hono } from 'hono';
import type { AppEnv } from '../context.js';

export function meRoutes(app: Hono<AppEnv>): void {
  app.get('/api/v1/me', (c) => c.json(c.get('actor')));
}
