/** A page that says what went wrong and what to do next (a missing release, a refused link). Pure. */
import { html } from 'hono/html';
import { renderDocument } from './layout.js';

export function renderProblemPage(title: string, message: string, hint: string): string {
  return renderDocument(
    title,
    null,
    'problem',
    html`<main id="problem">
      <h1>${title}</h1>
      <p class="problem">${message}</p>
      <p class="hint">${hint}</p>
    </main>`,
  );
}
