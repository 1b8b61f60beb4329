/**
 * Measuring: `measureMetric` takes one measurement of an analysis metric and judges it;
 * `fetchSeries` reads range data for the judge. Both report every measurement problem as data
 * (an Error measurement, an `{ ok: false }` series) and never throw for one: the analysis
 * limits decide what errors mean (STYLE.md habit 13). Only a cancelled activity throws.
 */
import { Context, log } from '@temporalio/activity';
import { evaluateMeasurement, formatValue } from '../src/domain/analysis/evaluate.js';
import type { Measurement } from '../src/domain/analysis/measurement.js';
import { placeholders, renderTemplate } from '../src/domain/template.js';
import type { ProviderResult, SecretHeaderRef } from '../src/providers/metrics/metric-provider.js';
import { metricProviderFor, type MetricProviders } from '../src/providers/metrics/registry.js';
import type { MetricSpec } from '../src/schema/pipeline.js';

export interface MetricActivityDeps {
  providers: MetricProviders;
}

export interface MeasureMetricRequest {
  metric: MetricSpec;
  /** Values for the query's placeholders: `args.<name>` and the `ramp.*` built-ins. */
  args: Record<string, string>;
}

export interface FetchSeriesRequest {
  /** Base URL of the Prometheus HTTP API. */
  address: string;
  /** PromQL; placeholders are resolved from `args` when given. */
  query: string;
  args?: Record<string, string> | undefined;
  headers?: readonly SecretHeaderRef[] | undefined;
  startMs: number;
  endMs: number;
  stepMs: number;
  /** @default 30_000 */
  timeoutMs?: number | undefined;
}

/**
 * The samples of a range query's FIRST series (a judged query aggregates to one series), one
 * value per step, oldest first, timestamps dropped. NaN, +Inf and -Inf samples are `null`
 * (what JSON, and so Temporal, would make of them anyway); the judge's NaN strategy handles them.
 */
export type SeriesResult =
  | {
      ok: true;
      /** The query as sent. */
      query: string;
      values: (number | null)[];
      /** How many series the query returned; only the first is read, so more than 1 is worth a warning. */
      seriesCount: number;
      /** How many of `values` were NaN (now null). */
      nanCount: number;
      /** How many of `values` were +Inf or -Inf (now null). */
      infCount: number;
    }
  | { ok: false; query: string; error: string };

export function createMetricActivities({ providers }: MetricActivityDeps) {
  return {
    /** Renders the query, measures, judges the value by the metric's conditions. Never throws for a measurement problem. */
    async measureMetric({ metric, args }: MeasureMetricRequest): Promise<Measurement> {
      const { cancellationSignal } = Context.current();
      const started = Date.now();
      const query = renderTemplate(metric.provider.query, args);
      let result: ProviderResult;
      const unresolved = placeholders(query);
      const provider = metricProviderFor(metric.provider, providers);
      if (unresolved.length > 0) {
        result = {
          error: `the query has unresolved placeholders ${unresolved.map((p) => `{{${p}}}`).join(', ')}; pass them as analysis args. Query: ${query}`,
        };
      } else if (provider === undefined) {
        result = { error: `this worker has no metric provider for ${String(metric.provider.kind)}` };
      } else {
        try {
          result = await provider.measure({ provider: metric.provider, query, timeMs: started, signal: cancellationSignal });
        } catch (error) {
          // Providers return errors as data; a throw is a bug in one, and still only an Error measurement.
          result = { error: `the ${metric.provider.kind} provider failed unexpectedly: ${error instanceof Error ? error.message : String(error)}` };
        }
      }
      throwIfCancelled(cancellationSignal);

      const evaluation = evaluateMeasurement(metric, 'error' in result ? { error: result.error } : result.value);
      const measurement: Measurement = {
        phase: evaluation.phase,
        value: 'error' in result ? null : result.value,
        error: evaluation.error,
        message: evaluation.message,
        startedAt: new Date(started).toISOString(),
        finishedAt: new Date().toISOString(),
        query,
      };
      const line = `metric ${metric.name}: ${measurement.phase}${measurement.value === null ? '' : ` (result = ${formatValue(measurement.value)})`}`;
      if (measurement.phase === 'Error') log.warn(`${line}: ${measurement.error}`, { metric: metric.name });
      else log.info(line, { metric: metric.name, query });
      return measurement;
    },

    /** A range query's first series as plain values, for the judge. Never throws for a query problem. */
    async fetchSeries(request: FetchSeriesRequest): Promise<SeriesResult> {
      const { cancellationSignal } = Context.current();
      const query = request.args ? renderTemplate(request.query, request.args) : request.query;
      const unresolved = placeholders(query);
      if (unresolved.length > 0) {
        return { ok: false, query, error: `the query has unresolved placeholders ${unresolved.map((p) => `{{${p}}}`).join(', ')}. Query: ${query}` };
      }
      const answer = await providers.prometheus.rangeQuery({ ...request, query, signal: cancellationSignal });
      throwIfCancelled(cancellationSignal);
      if ('error' in answer) {
        log.warn(`range query failed: ${answer.error}`);
        return { ok: false, query, error: answer.error };
      }
      const first = answer.series[0];
      let nanCount = 0;
      let infCount = 0;
      const values = (first?.values ?? []).map(([, v]) => {
        if (Number.isFinite(v)) return v;
        if (Number.isNaN(v)) nanCount++;
        else infCount++;
        return null;
      });
      return { ok: true, query, values, seriesCount: answer.series.length, nanCount, infCount };
    },
  };
}

export type MetricActivities = ReturnType<typeof createMetricActivities>;

/** A cancelled activity ends as cancelled, not as an Error measurement. */
function throwIfCancelled(signal: AbortSignal): void {
  if (signal.aborted) throw signal.reason;
}
