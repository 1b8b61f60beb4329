/**
 * The home page's freeze section (docs/governance.md#freeze): while a freeze is in force, a
 * banner saying who froze, from where, when, why and until when, with the form that lifts it;
 * otherwise the form that declares one. Both need a reason and are posted by the page's island
 * (ui/actions.ts: JSON with X-Ramp-Request) to the API, which signs the decision on the `web`
 * channel; the freeze workflow decides who may. Pure; every value escaped.
 */
import { html } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import { Marker } from '../../cli/render/format.js';
import { actorLabel } from '../../src/identity/actor.js';
import type { FreezeRecord } from '../../workflows/freeze-messages.js';
import { mark, time } from './marks.js';

type Html = HtmlEscapedString | Promise<HtmlEscapedString>;

/** `record` null: the freeze could not be read (the page still renders). */
export function renderFreezeSection(record: FreezeRecord | null): Html {
  if (record === null) {
    return html`<section class="freeze" aria-labelledby="freeze-h">
      <h2 id="freeze-h">Freeze</h2>
      <p class="none">Whether a freeze is in force could not be read just now; <code>ramp freeze</code> says.</p>
    </section>`;
  }
  const { state } = record;
  if (state === null) {
    return html`<section class="freeze" aria-labelledby="freeze-h" data-frozen="false">
      <h2 id="freeze-h">Freeze</h2>
      <p class="none">Not frozen: promotions run as their windows allow.</p>
      <details>
        <summary>Declare a freeze (stop every promotion)</summary>
        <form class="action" data-ramp-action="declare a freeze" method="post" action="/api/v1/freeze">
          <label for="freeze-reason">Reason (required, shown to everyone it stops)</label>
          <textarea id="freeze-reason" name="reason" required rows="2"></textarea>
          <label for="freeze-for">For how long (e.g. 4h, 1d; empty: until lifted)</label>
          <input id="freeze-for" name="for" type="text" inputmode="text" autocomplete="off" />
          <button type="submit">Declare a freeze</button>
        </form>
      </details>
    </section>`;
  }
  return html`<section class="freeze frozen" aria-labelledby="freeze-h" data-frozen="true">
    <h2 id="freeze-h">${mark(Marker.paused, 'frozen')} Frozen: every promotion waits</h2>
    <p>
      Declared by <strong>${actorLabel(state.declaredBy)}</strong> (${state.channel}) at ${time(state.declaredAt)},
      ${state.until === null ? html`until lifted` : html`until ${time(state.until)}`}.
    </p>
    <p class="freeze-reason">Reason: ${state.reason}</p>
    <form class="action" data-ramp-action="lift the freeze" method="post" action="/api/v1/freeze/lift">
      <label for="freeze-lift-reason">Reason for lifting (required)</label>
      <textarea id="freeze-lift-reason" name="reason" required rows="2"></textarea>
      <button type="submit">Lift the freeze</button>
    </form>
  </section>`;
}
