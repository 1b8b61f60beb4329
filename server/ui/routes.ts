/**
 * The web pages (issue 11): GET / (the home page), GET /releases/:id (the release page),
 * GET /releases/:id/main (its main content alone, for the live island), GET
 * /pipelines/:pipeline/dora (a stage's DORA figures) and the stylesheet
 * /assets/ramp.css. A page needs a browser session (the `ramp_session` cookie); without one —
 * or with an expired or altered one — the browser is sent to /auth/login and returns after it.
 */
import type { Context, Hono } from 'hono';
import { getCookie } from 'hono/cookie';
import type { SessionKeys } from '../auth/session-keys.js';
import { SESSION_COOKIE, verifySession } from '../auth/session.js';
import type { AppEnv, ServerContext } from '../context.js';
import { apiErrorOf } from '../errors.js';
import type { Actor } from '../../src/identity/actor.js';
import { doraView } from './dora-data.js';
import { renderDoraPage } from './dora-page.js';
import { homeView } from './home-data.js';
import { HOME_FRAGMENT, renderHomeMain, renderHomePage } from './home-page.js';
import { renderProblemPage } from './problem-page.js';
import { renderReleaseMain, renderReleasePage } from './release-page.js';
import { releaseView } from './release-view.js';
import { STYLESHEET } from './stylesheet.js';

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

  /** The signed-in person, or null (then the caller redirects to the login). */
  const viewerOf = async (c: Context<AppEnv>): Promise<Actor | null> => {
    const cookie = sessions ? getCookie(c, SESSION_COOKIE) : undefined;
    const viewer = sessions && cookie ? await verifySession(cookie, sessions).catch(() => null) : null;
    if (viewer) c.set('actor', viewer);
    return viewer;
  };
  const toLogin = (c: Context<AppEnv>, back: string) => c.redirect(`/auth/login?return=${encodeURIComponent(back)}`, 302);

  app.get('/', async (c) => {
    const viewer = await viewerOf(c);
    if (!viewer) return toLogin(c, '/');
    const page = renderHomePage(await homeView(ctx, viewer));
    setHeaders(c);
    c.header('Cache-Control', 'no-store');
    return c.html(page);
  });

  // The home page's content alone, for its island's refresh after a freeze is declared or lifted.
  app.get(HOME_FRAGMENT, async (c) => {
    const viewer = await viewerOf(c);
    if (!viewer) return toLogin(c, '/');
    const main = renderHomeMain(await homeView(ctx, viewer));
    setHeaders(c);
    c.header('Cache-Control', 'no-store');
    return c.html(main);
  });

  for (const part of ['page', 'main'] as const) {
    app.get(part === 'page' ? '/releases/:id' : '/releases/:id/main', async (c) => {
      const id = c.req.param('id');
      const viewer = await viewerOf(c);
      if (!viewer) return toLogin(c, `/releases/${encodeURIComponent(id)}`);
      let view;
      try {
        view = await releaseView(ctx, viewer, id);
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
      return c.html(part === 'page' ? renderReleasePage(view) : renderReleaseMain(view));
    });
  }

  app.get('/pipelines/:pipeline/dora', async (c) => {
    const pipeline = c.req.param('pipeline');
    const viewer = await viewerOf(c);
    if (!viewer) return toLogin(c, c.req.url.slice(new URL(c.req.url).origin.length));
    let view;
    try {
      view = await doraView(ctx, viewer.name, pipeline, c.req.query());
    } catch (error) {
      // An unknown pipeline or stage, or a bad period, is a page a person can read.
      const failure = apiErrorOf(error);
      if (failure.status !== 404 && failure.status !== 400) throw error;
      setHeaders(c);
      c.header('Cache-Control', 'no-store');
      const title = failure.status === 404 ? 'No such pipeline or environment' : 'Not a period ramp can read';
      return c.html(
        renderProblemPage(
          title,
          failure.message,
          failure.status === 404 ? 'The home page lists the pipelines.' : 'Use the period links on the page, e.g. ?since=30d.',
        ),
        failure.status,
      );
    }
    setHeaders(c);
    c.header('Cache-Control', 'no-store');
    return c.html(renderDoraPage(view));
  });
}

function setHeaders(c: Context): void {
  for (const [name, value] of Object.entries(PAGE_HEADERS)) c.header(name, value);
}
