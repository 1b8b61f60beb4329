/**
 * The web pages (issue 11): GET /releases/:id (read-only) and its stylesheet /assets/ramp.css.
 * A page needs a browser session (the `ramp_session` cookie); without one — or with an expired or
 * altered one — the browser is sent to /auth/login and returns here after the login.
 */
import type { Context, Hono } from 'hono';
import { getCookie } from 'hono/cookie';
import { readSnapshot } from '../../cli/temporal-backend.js';
import type { SessionKeys } from '../auth/session-keys.js';
import { SESSION_COOKIE, verifySession } from '../auth/session.js';
import type { AppEnv, ServerContext } from '../context.js';
import { apiErrorOf } from '../errors.js';
import { renderProblemPage } from './problem-page.js';
import { STYLESHEET } from './stylesheet.js';
import { renderReleasePage } from './release-page.js';

/** No inline script or style, no framing, no foreign origins. */
export const PAGE_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'same-origin',
};

export function uiRoutes(app: Hono<AppEnv>, ctx: ServerContext, sessions: SessionKeys | null): void {
  app.get('/assets/ramp.css', (c) => {
    setHeaders(c);
    c.header('Cache-Control', 'public, max-age=300');
    return c.body(STYLESHEET, 200, { 'Content-Type': 'text/css; charset=utf-8' });
  });

  app.get('/releases/:id', async (c) => {
    const id = c.req.param('id');
    const cookie = sessions ? getCookie(c, SESSION_COOKIE) : undefined;
    const viewer = sessions && cookie ? await verifySession(cookie, sessions).catch(() => null) : null;
    if (!viewer) return c.redirect(`/auth/login?return=${encodeURIComponent(`/releases/${encodeURIComponent(id)}`)}`, 302);
    c.set('actor', viewer);
    let snapshot;
    try {
      snapshot = await readSnapshot(await ctx.temporal.get(), id);
    } catch (error) {
      // A missing release is a page a person can read; anything else is the API's JSON error.
      const failure = apiErrorOf(error);
      if (failure.status !== 404) throw error;
      setHeaders(c);
      c.header('Cache-Control', 'no-store');
      return c.html(renderProblemPage('No such release', failure.message, failure.hint), 404);
    }
    setHeaders(c);
    c.header('Cache-Control', 'no-store');
    return c.html(renderReleasePage(snapshot, viewer.name));
  });
}

function setHeaders(c: Context): void {
  for (const [name, value] of Object.entries(PAGE_HEADERS)) c.header(name, value);
}
