/**
 * One Prometheus exposition of a ramp process (docs/metrics.md): ramp's registry, then — on the
 * worker — Temporal Core's own metrics (temporal_*), which Core serves on a loopback port of its
 * own and ramp fetches per scrape. Without Core's part (it did not answer in time) ramp's part is
 * still served, and the failure is logged once until Core answers again.
 */
import { rampRegistry } from './registry.js';

export const EXPOSITION_CONTENT_TYPE = rampRegistry.contentType;

export interface Exposition {
  /** The body of GET /metrics. */
  text(): Promise<string>;
}

export interface CoreMetricsSource {
  /** Core's endpoint, e.g. http://127.0.0.1:40123/metrics. */
  url: string;
  /** @default 2000 */
  timeoutMs?: number;
  log: (message: string) => void;
}

export function rampExposition(core?: CoreMetricsSource): Exposition {
  let coreFailing = false;
  const coreText = async (source: CoreMetricsSource): Promise<string> => {
    try {
      const response = await fetch(source.url, { signal: AbortSignal.timeout(source.timeoutMs ?? 2_000) });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      const text = await response.text();
      if (coreFailing) source.log(`ramp metrics: Temporal Core's metrics at ${source.url} answer again`);
      coreFailing = false;
      return text;
    } catch (error) {
      if (!coreFailing) {
        source.log(
          `ramp metrics: fetching Temporal Core's metrics from ${source.url} failed (${error instanceof Error ? error.message : String(error)}); ` +
            '/metrics serves ramp’s own metrics without temporal_* until Core answers',
        );
      }
      coreFailing = true;
      return '';
    }
  };
  return {
    async text() {
      const [own, coreMetrics] = await Promise.all([rampRegistry.metrics(), core ? coreText(core) : Promise.resolve('')]);
      if (coreMetrics === '') return own;
      return `${own.endsWith('\n') ? own : `${own}\n`}${coreMetrics}`;
    },
  };
}
