/**
 * A small chart of one metric over an analysis run: inline SVG rendered on the server (no chart
 * library, nothing to load), one dot per measurement, failed ones as crosses, and the numbers
 * again in words for screen readers and for people who cannot tell the marks apart. Pure.
 */
import { html } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import type { Measurement } from '../../src/domain/analysis/measurement.js';
import { formatMeasured } from '../../cli/render/analysis.js';

const WIDTH = 160;
const HEIGHT = 40;
const PAD = 4;

/** The number a measurement plots: a scalar, or the first series of a vector; null when there is none. */
export function plotted(measurement: Measurement): number | null {
  const value = measurement.value;
  const n = typeof value === 'number' ? value : Array.isArray(value) && value.length > 0 ? value[0]! : null;
  return n !== null && Number.isFinite(n) ? n : null;
}

/** The points of the chart in its viewBox, one per measurement with a number (x by order, y scaled to the range). */
export function chartPoints(values: readonly (number | null)[]): { x: number; y: number; index: number }[] {
  const numbers = values.filter((v): v is number => v !== null);
  if (numbers.length === 0) return [];
  const min = Math.min(...numbers);
  const max = Math.max(...numbers);
  const span = max - min || 1;
  const step = values.length > 1 ? (WIDTH - 2 * PAD) / (values.length - 1) : 0;
  return values.flatMap((v, index) =>
    v === null
      ? []
      : [
          {
            index,
            x: round(PAD + (values.length > 1 ? index * step : (WIDTH - 2 * PAD) / 2)),
            y: round(HEIGHT - PAD - ((v - min) / span) * (HEIGHT - 2 * PAD)),
          },
        ],
  );
}

const round = (n: number) => Math.round(n * 10) / 10;

/** `id` makes the title and description addressable (unique on the page). */
export function metricChart(id: string, metric: string, measurements: readonly Measurement[]): HtmlEscapedString | Promise<HtmlEscapedString> {
  const values = measurements.map(plotted);
  const points = chartPoints(values);
  const words = measurements.map((m) => `${formatMeasured(plotted(m))} ${m.phase.toLowerCase()}`).join(', ');
  const line = points.map((p) => `${p.x},${p.y}`).join(' ');
  return html`<svg class="chart" role="img" viewBox="0 0 ${WIDTH} ${HEIGHT}" width="${WIDTH}" height="${HEIGHT}" aria-labelledby="${id}-t ${id}-d">
    <title id="${id}-t">${metric} over the run</title>
    <desc id="${id}-d">${measurements.length} measurement(s), oldest first: ${words || 'none yet'}</desc>
    ${points.length > 1 ? html`<polyline points="${line}" fill="none" stroke="currentColor" stroke-width="1" />` : ''}
    ${points.map((p) => {
      const failed = measurements[p.index]!.phase === 'Failed' || measurements[p.index]!.phase === 'Error';
      return failed
        ? html`<path class="failed" d="M${p.x - 3},${p.y - 3}l6,6m0,-6l-6,6" stroke="currentColor" stroke-width="1.5" />`
        : html`<circle cx="${p.x}" cy="${p.y}" r="2" fill="currentColor" />`;
    })}
  </svg>`;
}
