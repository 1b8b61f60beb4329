/**
 * The web UI's islands (docs/ui.md, "In the browser"), loaded by `<script type="module"
 * src="/assets/ramp.js">` (server/ui/assets.ts serves this file bundled by esbuild): on a release
 * page — `<main data-fragment="…" data-events="…">` — live updates and the action forms. Pages
 * work without it; they only stop updating themselves.
 */
import { interceptActions } from './actions.js';
import { followRelease } from './live.js';
import { ReleaseView } from './view.js';

const main = document.querySelector<HTMLElement>('main[data-fragment]');
if (main) {
  const view = new ReleaseView(main, main.dataset.fragment ?? '');
  interceptActions(view);
  if (main.dataset.events) followRelease(view, main.dataset.events);
  main.dataset.islands = 'ready';
}
