/**
 * ramp's Grafana dashboards (deploy/grafana/dashboards/) as the tests see them: every panel's
 * queries, the metric names a query reads, and the query with Grafana's variables replaced by
 * concrete values, ready for Prometheus' HTTP API. Pure: no Prometheus here.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const DASHBOARDS_DIR = path.join(ROOT, 'deploy/grafana/dashboards');

export interface DashboardTarget {
  refId: string;
  expr: string;
  datasource?: { type?: string; uid?: string };
}

export interface DashboardPanel {
  id: number;
  type: string;
  title: string;
  datasource?: { type?: string; uid?: string };
  targets?: DashboardTarget[];
  panels?: DashboardPanel[];
}

export interface DashboardVariable {
  name: string;
  type: string;
  query?: unknown;
  current?: { value?: unknown };
}

export interface Dashboard {
  uid: string;
  title: string;
  panels: DashboardPanel[];
  templating: { list: DashboardVariable[] };
}

/** One query of one panel, named for failure messages: `ramp-delivery › Lead time (median) › A`. */
export interface DashboardQuery {
  dashboard: string;
  panel: string;
  refId: string;
  expr: string;
}

export function dashboardFiles(): string[] {
  return readdirSync(DASHBOARDS_DIR)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => path.join(DASHBOARDS_DIR, f));
}

export function readDashboard(file: string): Dashboard {
  return JSON.parse(readFileSync(file, 'utf8')) as Dashboard;
}

/** Every panel, those inside collapsed rows included. */
export function allPanels(dashboard: Dashboard): DashboardPanel[] {
  return dashboard.panels.flatMap((p) => [p, ...(p.panels ?? [])]);
}

/** Every query of every dashboard in deploy/grafana/dashboards/. */
export function dashboardQueries(): DashboardQuery[] {
  return dashboardFiles().flatMap((file) => {
    const dashboard = readDashboard(file);
    return allPanels(dashboard).flatMap((panel) =>
      (panel.targets ?? []).map((t) => ({ dashboard: dashboard.uid, panel: panel.title, refId: t.refId, expr: t.expr })),
    );
  });
}

export const queryName = (q: DashboardQuery): string => `${q.dashboard} › ${q.panel} › ${q.refId}`;

const PROMQL_KEYWORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'bool', 'and', 'or', 'unless', 'offset', 'inf', 'nan']);

/**
 * The metric names `expr` reads: identifiers that are neither functions nor aggregations (those
 * are followed by `(`), label names (inside `{…}` and `by (…)`), strings, durations or Grafana
 * variables.
 */
export function metricNames(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\$\{[^}]*\}|\$\w+/g, ' ')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  const names = new Set<string>();
  for (const match of bare.matchAll(/(?<![\w.])([a-zA-Z_:][a-zA-Z0-9_:]*)(\s*\()?/g)) {
    const [, name, call] = match;
    if (call || PROMQL_KEYWORDS.has(name!.toLowerCase())) continue;
    names.add(name!);
  }
  return [...names];
}

/** Values for Grafana's variables when a test runs a dashboard's query itself. */
export interface Concrete {
  /** $__range: the dashboard's time range. */
  range: string;
  /** $__rate_interval and $__interval. */
  rateInterval: string;
}

export const TEST_CONCRETE: Concrete = { range: '1h', rateInterval: '1m' };

/**
 * `expr` as Grafana sends it: $__range, $__range_s, $__rate_interval and $__interval become
 * durations; every dashboard variable (`$pipeline`, `${stage}` …, all multi-value with "All" =
 * `.*`) becomes its "All" value `.*`.
 */
export function concreteExpr(expr: string, concrete: Concrete = TEST_CONCRETE): string {
  return expr
    .replaceAll('$__range_s', String(seconds(concrete.range)))
    .replaceAll('$__range', concrete.range)
    .replaceAll('$__rate_interval', concrete.rateInterval)
    .replaceAll('$__interval', concrete.rateInterval)
    .replace(/\$\{\w+\}|\$\w+/g, '.*');
}

function seconds(duration: string): number {
  const match = /^(\d+)([smhd])$/.exec(duration);
  if (!match) throw new Error(`not a simple duration: ${duration}`);
  return Number(match[1]) * { s: 1, m: 60, h: 3600, d: 86_400 }[match[2] as 's' | 'm' | 'h' | 'd'];
}
