/**
 * The pages' small pieces: a state's mark (✔ ✖ ‖ ◌ · as `ramp status` prints them) with its word
 * for screen readers, and a time people read (UTC) with the exact instant for machines. Pure.
 */
import { html } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import { formatTime, type Marker } from '../../cli/render/format.js';

/** The mark, hidden from screen readers, then the word, shown to them only (the text around says it for sighted people). */
export function mark(marker: Marker, word: string): HtmlEscapedString | Promise<HtmlEscapedString> {
  if (word === '') return html`<span class="mark" aria-hidden="true">${marker}</span>`;
  return html`<span class="mark" aria-hidden="true">${marker}</span><span class="sr">${word}</span>`;
}

/** `2026-11-21 09:00:20 UTC`, as a <time> element; `-` for null. */
export function time(iso: string | null): HtmlEscapedString | Promise<HtmlEscapedString> {
  if (iso === null) return html`-`;
  return html`<time datetime="${iso}">${formatTime(iso, { timeZone: 'utc' })} UTC</time>`;
}
