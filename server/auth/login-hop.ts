/**
 * The last step of a browser login: a tiny page that goes on to the return path, instead of a
 * 302. The browser arrives at /auth/callback from the provider's site; a redirect from there is
 * still part of that cross-site navigation, and Chrome does not send the new SameSite=Strict
 * session cookie on it, so the person would land on the login again. The page's own navigation
 * (a `<meta http-equiv="refresh">`, no script: the CSP allows none inline) starts on ramp's
 * site, and the cookie goes with it. A link does the same by hand. Pure.
 */
import { html } from 'hono/html';
import { PAGE_HEADERS } from '../ui/routes.js';

/** Headers of the hop page: ramp's page headers, no caching, and no Referer (the callback URL holds the code). */
export const HOP_HEADERS: Readonly<Record<string, string>> = {
  ...PAGE_HEADERS,
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-store',
};

/** The page for `returnTo`, a same-origin path (session.ts safeReturnPath). */
export function renderLoginHop(returnTo: string, who: string): string {
  const page = html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta http-equiv="refresh" content="0; url=${returnTo}" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>Signed in · ramp</title>
        <link rel="stylesheet" href="/assets/ramp.css" />
      </head>
      <body>
        <main>
          <h1>Signed in as ${who}</h1>
          <p><a href="${returnTo}" data-hop>Continue</a></p>
        </main>
      </body>
    </html> `;
  if (page instanceof Promise) throw new Error('the login hop page rendered asynchronously: a fragment returned a promise');
  return page.toString();
}
