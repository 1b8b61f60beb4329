// ramp's Grafana dashboards (deploy/grafana/dashboards/, docs/dashboards.md) against the metric
// catalog, the provisioning files and docker-compose.yml. Whether Prometheus accepts every query
// is test/integration/dashboards.test.ts; whether each returns data, test/e2e/dashboards.test.ts.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { parse } from 'yaml';
import { METRICS } from '../../src/observability/catalog.js';
import {
  allPanels,
  concreteExpr,
  dashboardFiles,
  dashboardQueries,
  metricNames,
  queryName,
  readDashboard,
  ROOT,
  type Dashboard,
} from '../support/dashboards.js';

const CATALOG = new Map<string, string>(METRICS.map((m) => [m.name, m.type]));
/** Temporal Core's metrics, prom-client's default metrics, and Prometheus' own `up`. */
const FOREIGN = /^(temporal_|process_|nodejs_)/;
const SYNTHETIC = new Set(['up']);

/** Whether `name` is something ramp's /metrics (or Prometheus) serves, with the catalog's type respected. */
function known(name: string): boolean {
  if (FOREIGN.test(name) || SYNTHETIC.has(name)) return true;
  if (CATALOG.has(name)) return CATALOG.get(name) !== 'histogram';
  const histogram = /^(.*)_(bucket|sum|count)$/.exec(name);
  return histogram !== null && CATALOG.get(histogram[1]!) === 'histogram';
}

const provisioning = parse(readFileSync(path.join(ROOT, 'deploy/grafana/provisioning/datasources/prometheus.yml'), 'utf8')) as {
  datasources: { uid?: string; type: string }[];
};
const DATASOURCE_UID = provisioning.datasources.find((d) => d.type === 'prometheus')?.uid;
const dashboards: Dashboard[] = dashboardFiles().map(readDashboard);

describe('metricNames (what a PromQL query reads)', () => {
  const cases: [string, string[]][] = [
    ['up', ['up']],
    ['sum by (pipeline, stage) (increase(ramp_deployments_total{pipeline=~"$pipeline"}[$__range]))', ['ramp_deployments_total']],
    ['histogram_quantile(0.9, sum by (le, stage) (rate(ramp_stage_duration_seconds_bucket{stage="a b"}[1m])))', ['ramp_stage_duration_seconds_bucket']],
    ['sum(rate(x_total[5m])) / sum(rate(y_total[5m])) or vector(0)', ['x_total', 'y_total']],
    ['time() - process_start_time_seconds{instance=~"$instance"}', ['process_start_time_seconds']],
    ['max by (pipeline) (ramp_canary_weight) > 0 and on (pipeline) ramp_stages_running', ['ramp_canary_weight', 'ramp_stages_running']],
    ['sum(increase(a[$__range])) / ($__range_s / 86400)', ['a']],
  ];
  for (const [expr, names] of cases) test(expr, () => assert.deepEqual(metricNames(expr).sort(), names.sort()));
});

describe('concreteExpr (Grafana variables made concrete)', () => {
  const cases: [string, string][] = [
    ['increase(a{p=~"$pipeline"}[$__range])', 'increase(a{p=~".*"}[1h])'],
    ['rate(a{s=~"${stage}"}[$__rate_interval])', 'rate(a{s=~".*"}[1m])'],
    ['sum(increase(a[$__range])) / ($__range_s / 86400)', 'sum(increase(a[1h])) / (3600 / 86400)'],
  ];
  for (const [expr, concrete] of cases) test(expr, () => assert.equal(concreteExpr(expr), concrete));
});

describe('the dashboards', () => {
  test('there are the three: delivery, canaries, worker', () => {
    assert.deepEqual(dashboards.map((d) => d.uid).sort(), ['ramp-canaries', 'ramp-delivery', 'ramp-worker']);
  });

  test('each has a unique uid and title, and its file is named after its uid', () => {
    assert.equal(new Set(dashboards.map((d) => d.uid)).size, dashboards.length);
    assert.equal(new Set(dashboards.map((d) => d.title)).size, dashboards.length);
    for (const [i, file] of dashboardFiles().entries()) assert.equal(path.basename(file), `${dashboards[i]!.uid}.json`);
  });

  test('every panel reads only metrics ramp exports (the catalog), Temporal Core, prom-client or up', () => {
    const unknown: string[] = [];
    for (const q of dashboardQueries()) {
      for (const name of metricNames(q.expr)) if (!known(name)) unknown.push(`${queryName(q)}: ${name}`);
    }
    assert.deepEqual(unknown, [], 'metrics not in src/observability/catalog.ts (histograms are read through _bucket, _sum or _count)');
  });

  test('every query reads at least one metric, and every panel but rows has a query', () => {
    for (const q of dashboardQueries()) assert.ok(metricNames(q.expr).length > 0, `${queryName(q)} reads no metric: ${q.expr}`);
    for (const d of dashboards) {
      for (const p of allPanels(d)) if (p.type !== 'row') assert.ok((p.targets ?? []).length > 0, `${d.uid} › ${p.title} has no query`);
    }
  });

  test('the provisioned datasource has a fixed uid, the default of every dashboard’s datasource variable', () => {
    assert.ok(DATASOURCE_UID, 'deploy/grafana/provisioning/datasources/prometheus.yml gives the Prometheus datasource a uid');
    for (const d of dashboards) {
      const variable = d.templating.list.find((v) => v.type === 'datasource');
      assert.ok(variable, `${d.uid} has a datasource variable`);
      assert.equal(variable.current?.value, DATASOURCE_UID, `${d.uid}: the datasource variable defaults to the provisioned uid`);
      const allowed = new Set([DATASOURCE_UID, `\${${variable.name}}`]);
      for (const p of allPanels(d)) {
        if (p.type === 'row') continue;
        for (const ds of [p.datasource, ...(p.targets ?? []).map((t) => t.datasource)]) {
          assert.ok(ds?.uid && allowed.has(ds.uid), `${d.uid} › ${p.title}: datasource ${JSON.stringify(ds)}`);
        }
      }
    }
  });

  test('panel ids are unique within each dashboard', () => {
    for (const d of dashboards) {
      const ids = allPanels(d).map((p) => p.id);
      assert.equal(new Set(ids).size, ids.length, d.uid);
    }
  });

  test('visibility gauges are aggregated with max (every process exports the same value), counters through rate or increase', () => {
    const visibility = METRICS.filter((m) => m.source === 'visibility').map((m) => m.name);
    const counters = METRICS.filter((m) => m.type === 'counter').map((m) => m.name);
    for (const q of dashboardQueries()) {
      for (const name of metricNames(q.expr)) {
        if ((visibility as string[]).includes(name)) assert.match(q.expr, new RegExp(`max by \\([^)]*\\) \\(${name}\\b`), queryName(q));
        if ((counters as string[]).includes(name)) assert.match(q.expr, new RegExp(`(rate|increase)\\(${name}\\b`), queryName(q));
      }
    }
  });
});

describe('provisioning', () => {
  const compose = parse(readFileSync(path.join(ROOT, 'docker-compose.yml'), 'utf8')) as { services: Record<string, { volumes?: string[] }> };
  const provider = parse(readFileSync(path.join(ROOT, 'deploy/grafana/provisioning/dashboards/ramp.yml'), 'utf8')) as {
    providers: { type: string; options: { path: string } }[];
  };

  test('docker-compose mounts the dashboards where the provisioning file reads them', () => {
    const volumes = compose.services.grafana?.volumes ?? [];
    const mounts = new Map(volumes.map((v) => [v.split(':')[1]!, v.split(':')[0]!]));
    assert.equal(mounts.get('/etc/grafana/provisioning'), './deploy/grafana/provisioning');
    const folder = provider.providers[0]!.options.path;
    assert.equal(mounts.get(folder), './deploy/grafana/dashboards', `the folder ${folder} of ramp.yml is mounted from the repository`);
    for (const source of mounts.values()) assert.ok(existsSync(path.join(ROOT, source)), `${source} exists`);
  });

  test('Prometheus scrapes the worker endpoint docker-compose publishes', () => {
    const config = parse(readFileSync(path.join(ROOT, 'deploy/prometheus/prometheus.yml'), 'utf8')) as {
      scrape_configs: { job_name: string; static_configs: { targets: string[] }[] }[];
    };
    const worker = config.scrape_configs.find((j) => j.job_name === 'ramp-worker');
    assert.deepEqual(worker?.static_configs[0]?.targets, ['worker:9464']);
  });
});
