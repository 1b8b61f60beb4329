/**
 * The document around every page: the stylesheet and the islands' script (both served by this
 * server: no CDN, no inline script or style, so the Content-Security-Policy stays `'self'`),
 * a header with who is signed in, and the page's content. Pure.
 */
import { html } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';

/**
 * `mainId`: the id of the page's <main>, where the skip link goes. `referrer: 'same-origin'` for
 * pages whose own URL carries a secret (an approval link's token): browsers then never send it
 * to another site.
 */
export function renderDocument(
  title: string,
  viewer: string | null,
  mainId: string,
  content: HtmlEscapedString | Promise<HtmlEscapedString>,
  options: { referrer?: 'same-origin' } = {},
): string {
  const page = html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        ${options.referrer ? html`<meta name="referrer" content="${options.referrer}" />` : ''}
        <title>${title} · ramp</title>
        <link rel="stylesheet" href="/assets/ramp.css" />
        <script type="module" src="/assets/ramp.js"></script>
      </head>
      <body>
        <a class="skip" href="#${mainId}">Skip to the content</a>
        <header>
          <a class="brand" href="/">ramp</a>
          ${viewer === null ? '' : html`<span class="viewer">signed in as ${viewer}</span>`}
        </header>
        ${content}
      </body>
    </html> `;
  // Nothing on a page is asynchronous: the helper answers a string.
  if (page instanceof Promise) throw new Error(`the page "${title}" rendered asynchronously: a fragment returned a promise`);
  return page.toString();
}

/** A fragment as a string (GET /releases/:id/main). */
export function fragment(content: HtmlEscapedString | Promise<HtmlEscapedString>): string {
  if (content instanceof Promise) throw new Error('a fragment rendered asynchronously: a part returned a promise');
  return content.toString();
}
