/**
 * Whether every query of ramp's dashboards returns data from a real Prometheus, as Grafana would
 * ask it: a range query over the time the test ran (visibility gauges such as the canary weight
 * exist only while a stage runs, so "now" alone would miss them). Called by
 * test/e2e/dashboards.test.ts after real promotions; a query that needs an event the test did not
 * cause is excused by naming one of its metrics, with the reason.
 */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import axios from 'axios';
import { concreteExpr, dashboardQueries, metricNames, queryName, type DashboardQuery } from './dashboards.js';

/** A metric whose queries may return nothing, and why (the event that feeds it did not happen). */
export interface NoData {
  metric: string;
  reason: string;
}

export interface DataOptions {
  /** Epoch seconds: the start of the range asked for (when the test began). */
  since: number;
  /** Metrics whose queries are not required to return data. */
  except?: readonly NoData[];
  /** How long to keep asking while samples accumulate. @default 60 s */
  timeoutMs?: number;
}

interface RangeAnswer {
  status: 'success' | 'error';
  error?: string;
  data?: { result: { metric: Record<string, string>; values: [number, string][] }[] };
}

/** How many series `query` returned over [since, now]; throws when Prometheus refuses it. */
async function seriesCount(prometheusUrl: string, query: string, since: number): Promise<number> {
  const end = Math.ceil(Date.now() / 1000);
  const res = await axios.get<RangeAnswer>(`${prometheusUrl}/api/v1/query_range`, {
    params: { query, start: since, end, step: 1 },
    timeout: 10_000,
    validateStatus: () => true,
  });
  if (res.data.status !== 'success') throw new Error(`Prometheus refused ${query}: ${res.data.error ?? res.status}`);
  return res.data.data?.result.length ?? 0;
}

/** The queries required to return data: all but those reading an excused metric. */
export function requiredQueries(except: readonly NoData[] = []): { required: DashboardQuery[]; excused: DashboardQuery[] } {
  const excusedMetrics = new Set(except.map((e) => e.metric));
  const required: DashboardQuery[] = [];
  const excused: DashboardQuery[] = [];
  for (const q of dashboardQueries()) (metricNames(q.expr).some((m) => excusedMetrics.has(m)) ? excused : required).push(q);
  return { required, excused };
}

/**
 * Asserts that every dashboard query not excused returns at least one series over
 * [options.since, now], asking again until options.timeoutMs while scrapes accumulate; the failure
 * lists every query without data.
 */
export async function assertDashboardsReturnData(prometheusUrl: string, options: DataOptions): Promise<void> {
  const { required } = requiredQueries(options.except);
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  let pending = required;
  for (;;) {
    const still: DashboardQuery[] = [];
    for (const q of pending) if ((await seriesCount(prometheusUrl, concreteExpr(q.expr), options.since)) === 0) still.push(q);
    pending = still;
    if (pending.length === 0 || Date.now() > deadline) break;
    await sleep(1_000);
  }
  assert.deepEqual(
    pending.map((q) => `${queryName(q)}: ${concreteExpr(q.expr)}`),
    [],
    `dashboard queries without data after ${options.timeoutMs ?? 60_000} ms (Prometheus ${prometheusUrl})`,
  );
}
