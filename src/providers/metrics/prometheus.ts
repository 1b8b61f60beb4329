/**
 * Prometheus over its HTTP API (https://prometheus.io/docs/prometheus/latest/querying/api/):
 * instant queries for analysis measurements (`/api/v1/query` at a given `time`) and range
 * queries for the judge (`/api/v1/query_range`).
 *
 * - Results: a scalar is a number; an instant vector is one number per series, in the order
 *   Prometheus returned them (`[]` when nothing matched: the conditions decide, and `result[0]`
 *   on it is an Error); a range query gives series of `[timeMs, value]`. Prometheus writes
 *   sample values as strings; "NaN", "+Inf" and "-Inf" become NaN, Infinity and -Infinity.
 * - Every problem is an `{ error }` naming the address (without credentials) and the query:
 *   connection refused, timeout, HTTP 4xx/5xx with Prometheus' `errorType` and `error`, an
 *   answer that is not Prometheus JSON, `status: "error"`, a result type a measurement cannot use.
 * - Headers come from worker-side secrets by reference (`secrets.ts`); every form of their
 *   values (the whole header value, the token without `Bearer `, base64, URL-encoded: redact.ts)
 *   is removed from every message, including what the server echoes back.
 * - Queries are POSTed as a form, so long PromQL never hits URL limits.
 */
import axios, { type AxiosInstance } from 'axios';
import { displayUrl } from '../git/credentials.js';
import { redactSecrets } from '../redact.js';
import type { MeasureRequest, MetricProvider, MetricProviderSpec, ProviderResult, SecretHeaderRef } from './metric-provider.js';
import { createSecretResolver, secretLocations, type SecretResolver } from '../secrets.js';

export type PrometheusProviderSpec = Extract<MetricProviderSpec, { kind: 'prometheus' }>;

/** Used when a range query does not say (the judge's queries have no timeout of their own). */
export const DEFAULT_PROMETHEUS_TIMEOUT_MS = 30_000;
/** Answers larger than this are refused (a range query over a long window at a fine step). */
const MAX_ANSWER_BYTES = 64 * 1024 * 1024;
const SNIPPET_CHARS = 200;
/** Prometheus' own error message is quoted up to this length. */
const ERROR_CHARS = 1000;

/** One series of a range query: its labels and its samples, oldest first, `t` in ms since the epoch. */
export interface Series {
  labels: Record<string, string>;
  values: [t: number, v: number][];
}

export type RangeResult = { series: Series[] } | { error: string };

export interface RangeQueryRequest {
  /** Base URL of the Prometheus HTTP API. */
  address: string;
  /** PromQL, placeholders resolved. */
  query: string;
  startMs: number;
  endMs: number;
  /** Resolution: one sample per step per series. */
  stepMs: number;
  /** @default 30_000 */
  timeoutMs?: number | undefined;
  headers?: readonly SecretHeaderRef[] | undefined;
  signal?: AbortSignal | undefined;
}

export interface PrometheusDeps {
  /** @default axios.create() */
  http?: AxiosInstance;
  /** The worker's secrets (RAMP_SECRET_<NAME>, then $RAMP_SECRETS_DIR/<name>). @default none */
  secrets?: SecretResolver;
}

export interface PrometheusProvider extends MetricProvider<PrometheusProviderSpec> {
  /** A range query (`/api/v1/query_range`). Resolves to `{ error }` for every problem; never rejects. */
  rangeQuery(request: RangeQueryRequest): Promise<RangeResult>;
}

export function createPrometheusProvider(deps: PrometheusDeps = {}): PrometheusProvider {
  const http = deps.http ?? axios.create();
  const secrets = deps.secrets ?? createSecretResolver({ env: {} });

  async function measure({ provider, query, timeMs, signal }: MeasureRequest<PrometheusProviderSpec>): Promise<ProviderResult> {
    const params = { query, time: seconds(timeMs), timeout: seconds(provider.timeoutMs) };
    const answer = await call(http, secrets, 'query', params, { ...provider, query, signal });
    if ('error' in answer) return answer;
    const fail = (reason: string): ProviderResult => ({ error: describe(provider.address, reason, query, answer.secrets) });
    const { resultType, result } = answer.data;
    switch (resultType) {
      case 'scalar': {
        const value = sampleValue(result);
        return value === null ? fail(`the scalar result is malformed: ${snippet(JSON.stringify(result), answer.secrets)}`) : { value };
      }
      case 'vector': {
        if (!Array.isArray(result)) return fail('the vector result is not a list');
        const values: number[] = [];
        for (const series of result) {
          const value = isRecord(series) ? sampleValue(series.value) : null;
          if (value === null) {
            const histogram = isRecord(series) && 'histogram' in series;
            return fail(
              histogram
                ? 'the query returns native histograms, not numbers; measure a number (histogram_quantile, histogram_count, ...)'
                : `a sample of the vector result is malformed: ${snippet(JSON.stringify(series), answer.secrets)}`,
            );
          }
          values.push(value);
        }
        return { value: values };
      }
      case 'matrix':
        return fail(
          'the query returns a range vector (a matrix); a measurement needs a scalar or an instant vector. Remove the range selector, or aggregate over it (rate(x[5m]), avg_over_time(x[5m]))',
        );
      default:
        return fail(`the query returns a ${String(resultType)}; a measurement needs a scalar or an instant vector`);
    }
  }

  async function rangeQuery(request: RangeQueryRequest): Promise<RangeResult> {
    const { address, query, startMs, endMs, stepMs } = request;
    const timeoutMs = request.timeoutMs ?? DEFAULT_PROMETHEUS_TIMEOUT_MS;
    if (!(stepMs > 0) || !(endMs >= startMs)) {
      return { error: describe(address, `a range query needs startMs <= endMs and stepMs > 0 (got ${startMs}, ${endMs}, ${stepMs})`, query, []) };
    }
    const params = { query, start: seconds(startMs), end: seconds(endMs), step: seconds(stepMs), timeout: seconds(timeoutMs) };
    const answer = await call(http, secrets, 'query_range', params, { address, query, timeoutMs, headers: request.headers, signal: request.signal });
    if ('error' in answer) return answer;
    const fail = (reason: string): RangeResult => ({ error: describe(address, reason, query, answer.secrets) });
    const { resultType, result } = answer.data;
    if (resultType !== 'matrix') return fail(`the range query returned a ${String(resultType)}, not a matrix`);
    if (!Array.isArray(result)) return fail('the matrix result is not a list');
    const series: Series[] = [];
    for (const entry of result) {
      if (!isRecord(entry) || !Array.isArray(entry.values)) {
        const histogram = isRecord(entry) && 'histograms' in entry;
        return fail(
          histogram
            ? 'the query returns native histograms, not numbers'
            : `a series of the matrix is malformed: ${snippet(JSON.stringify(entry), answer.secrets)}`,
        );
      }
      const values: [number, number][] = [];
      for (const sample of entry.values as unknown[]) {
        const value = sampleValue(sample);
        const t: unknown = Array.isArray(sample) ? sample[0] : undefined;
        if (value === null || typeof t !== 'number') return fail(`a sample of the matrix is malformed: ${snippet(JSON.stringify(sample), answer.secrets)}`);
        values.push([Math.round(t * 1000), value]);
      }
      series.push({ labels: labelsOf(entry.metric), values });
    }
    return { series };
  }

  return { kind: 'prometheus', measure, rangeQuery };
}

interface Target {
  address: string;
  query: string;
  timeoutMs: number;
  headers?: readonly SecretHeaderRef[] | undefined;
  signal?: AbortSignal | undefined;
}

interface Answer {
  data: { resultType: unknown; result: unknown };
  /** Secret values sent with the request, to keep out of messages. */
  secrets: string[];
}

/** One request to the API; `data` of a `status: "success"` answer, or an error message. */
async function call(
  http: AxiosInstance,
  resolveSecret: SecretResolver,
  endpoint: 'query' | 'query_range',
  params: Record<string, string>,
  target: Target,
): Promise<Answer | { error: string }> {
  const { address, query, timeoutMs } = target;
  const headers: Record<string, string> = { Accept: 'application/json' };
  const secrets: string[] = [];
  for (const { name, secretRef } of target.headers ?? []) {
    const value = await resolveSecret(secretRef);
    if (value === undefined) {
      return { error: describe(address, `secret "${secretRef}" for the ${name} header is not set on this worker (${secretLocations(secretRef)})`, query, []) };
    }
    headers[name] = value;
    secrets.push(value);
  }

  const timeout = AbortSignal.timeout(timeoutMs);
  const signal = target.signal ? AbortSignal.any([target.signal, timeout]) : timeout;
  let status: number;
  let statusText: string;
  let body: string;
  try {
    const response = await http.post<string>(`${address.replace(/\/+$/, '')}/api/v1/${endpoint}`, new URLSearchParams(params), {
      headers,
      signal,
      responseType: 'text',
      transformResponse: [(data: unknown) => data],
      validateStatus: () => true,
      maxContentLength: MAX_ANSWER_BYTES,
      maxRedirects: 0,
    });
    status = response.status;
    statusText = response.statusText;
    body = typeof response.data === 'string' ? response.data : String(response.data);
  } catch (error) {
    let reason: string;
    if (timeout.aborted) reason = `no answer within ${formatSeconds(timeoutMs)}`;
    else if (target.signal?.aborted) reason = 'the query was cancelled';
    else reason = connectionProblem(error);
    return { error: describe(address, reason, query, secrets) };
  }

  const httpStatus = `HTTP ${status}${statusText ? ` ${statusText}` : ''}`;
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    const what = body.trim() === '' ? 'an empty body' : `something that is not JSON: "${snippet(body, secrets)}"`;
    return { error: describe(address, `answered ${httpStatus} with ${what}`, query, secrets) };
  }
  if (!isRecord(json) || (json.status !== 'success' && json.status !== 'error')) {
    return { error: describe(address, `answered ${httpStatus} with JSON that is not a Prometheus API answer: "${snippet(body, secrets)}"`, query, secrets) };
  }
  if (json.status === 'error') {
    const errorType = typeof json.errorType === 'string' && json.errorType ? `${json.errorType}: ` : '';
    const message = typeof json.error === 'string' ? snippet(json.error, secrets, ERROR_CHARS) : 'no error message';
    return { error: describe(address, `refused the query: ${errorType}${message} (${httpStatus})`, query, secrets) };
  }
  if (status < 200 || status >= 300) {
    return { error: describe(address, `answered ${httpStatus} with status "success"`, query, secrets) };
  }
  if (!isRecord(json.data)) return { error: describe(address, `answered without data: "${snippet(body, secrets)}"`, query, secrets) };
  return { data: { resultType: json.data.resultType, result: json.data.result }, secrets };
}

/** `Prometheus at http://prometheus:9090: <reason>. Query: <query>`, credentials and secrets removed. */
function describe(address: string, reason: string, query: string, secrets: readonly string[]): string {
  return redactSecrets(`Prometheus at ${displayUrl(address)}: ${reason}. Query: ${query}`, secrets);
}

function connectionProblem(error: unknown): string {
  const code = isRecord(error) && typeof error.code === 'string' ? error.code : undefined;
  switch (code) {
    case 'ECONNREFUSED':
      return 'connection refused (is Prometheus running at this address?)';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'the host name does not resolve';
    case 'ECONNRESET':
      return 'the connection was reset';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return 'the host is unreachable';
    case 'ETIMEDOUT':
    case 'ECONNABORTED':
      return 'the connection timed out';
    default: {
      const message = error instanceof Error ? error.message : String(error);
      if (/maxContentLength|max ?body ?length/i.test(message)) {
        return `the answer is larger than ${MAX_ANSWER_BYTES / 1024 / 1024} MiB; narrow the query or coarsen the step`;
      }
      return `the request failed: ${code ? `${code}: ` : ''}${message}`;
    }
  }
}

/** A sample `[t, "v"]`: the value as a number, with Prometheus' NaN, +Inf and -Inf; null when malformed. */
function sampleValue(sample: unknown): number | null {
  if (!Array.isArray(sample) || sample.length !== 2 || typeof sample[1] !== 'string') return null;
  return parseSampleValue(sample[1]);
}

/** Prometheus formats floats with Go's strconv: "1.5", "1e-05", "NaN", "+Inf", "-Inf". */
export function parseSampleValue(text: string): number | null {
  switch (text) {
    case 'NaN':
      return NaN;
    case '+Inf':
    case 'Inf':
      return Infinity;
    case '-Inf':
      return -Infinity;
  }
  if (text.trim() === '') return null;
  const value = Number(text);
  return Number.isNaN(value) ? null : value;
}

function labelsOf(metric: unknown): Record<string, string> {
  const labels: Record<string, string> = {};
  if (isRecord(metric)) for (const [k, v] of Object.entries(metric)) if (typeof v === 'string') labels[k] = v;
  return labels;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Seconds as Prometheus reads them in `time`, `start`, `end`, `step` and `timeout`: a decimal number. */
function seconds(ms: number): string {
  return String(ms / 1000);
}

function formatSeconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

/** Text from the server, flattened, redacted (before it is cut, so no part of a secret stays) and cut. */
function snippet(text: string, secrets: readonly string[], chars = SNIPPET_CHARS): string {
  const flat = redactSecrets(text.replace(/\s+/g, ' ').trim(), secrets);
  return flat.length > chars ? `${flat.slice(0, chars)}…` : flat;
}
