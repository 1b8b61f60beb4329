/**
 * A metric provider measures one value for an analysis metric (Argo Rollouts'
 * `metric/provider.go`). One implementation per provider kind of the schema
 * (src/schema/analysis-template.ts), listed in registry.ts.
 *
 * Providers never throw for measurement problems: an unreachable server, a timeout, a query
 * the server refuses or an answer it should not have given all come back as `{ error }`, which
 * becomes an Error measurement (STYLE.md habit 13). Error messages name the server (without
 * credentials) and the query, never a secret.
 */
import type { MeasuredValue } from '../../domain/analysis/measurement.js';
import type { MetricSpec } from '../../schema/pipeline.js';

/** A metric's `provider` block, normalised (kind, address, query template, timeoutMs, headers). */
export type MetricProviderSpec = MetricSpec['provider'];

/** A request header whose value the worker resolves from a secret; the spec names it, never holds it. */
export interface SecretHeaderRef {
  name: string;
  secretRef: string;
}

/** A measured value, or why there is none. */
export type ProviderResult = { value: MeasuredValue } | { error: string };

export interface MeasureRequest<P extends MetricProviderSpec = MetricProviderSpec> {
  /** The metric's provider block as the spec has it; its `query` is still the template. */
  provider: P;
  /** The query to send: the template with its placeholders resolved. */
  query: string;
  /** Evaluation time of the query, in ms since the epoch. */
  timeMs: number;
  /** Aborts the request (activity cancellation). */
  signal?: AbortSignal | undefined;
}

export interface MetricProvider<P extends MetricProviderSpec = MetricProviderSpec> {
  readonly kind: P['kind'];
  /** One instant measurement. Resolves to `{ error }` for every problem with the measurement; never rejects. */
  measure(request: MeasureRequest<P>): Promise<ProviderResult>;
}
