/** A page that says what went wrong and what to do next (a missing release, for now). Pure. */
import { html } from 'hono/html';

export function renderProblemPage(title: string, message: string, hint: string): string {
  const page = html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${title} · ramp</title>
        <link rel="stylesheet" href="/assets/ramp.css" />
      </head>
      <body>
        <header><span class="brand">ramp</span></header>
        <main>
          <h1>${title}</h1>
          <p class="problem">${message}</p>
          <p class="hint">${hint}</p>
        </main>
      </body>
    </html> `;
  if (page instanceof Promise) throw new Error('the problem page rendered asynchronously: a fragment returned a promise');
  return page.toString();
}
