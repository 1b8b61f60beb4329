// Every query of ramp's Grafana dashboards (deploy/grafana/dashboards/) parses in the real
// Prometheus: its /api/v1/query answers `success` (a typo, a missing bracket or a bad function
// is an error there). That each returns data after a promotion is test/e2e/dashboards.test.ts.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import axios from 'axios';
import { startPrometheus, type TestPrometheus } from '../harness/prometheus.js';
import { concreteExpr, dashboardQueries, queryName } from '../support/dashboards.js';

describe('the dashboards’ queries in a real Prometheus', () => {
  let prometheus: TestPrometheus;
  before(async () => (prometheus = await startPrometheus({ targets: [] })));
  after(async () => prometheus?.stop());

  test('every query parses (instant and range)', async () => {
    const queries = dashboardQueries();
    assert.ok(queries.length >= 60, `found ${queries.length} queries`);
    const end = Math.floor(Date.now() / 1000);
    const refused: string[] = [];
    for (const q of queries) {
      const query = concreteExpr(q.expr);
      for (const [endpoint, params] of [
        ['/api/v1/query', { query }],
        ['/api/v1/query_range', { query, start: end - 3600, end, step: 15 }],
      ] as const) {
        const res = await axios.get<{ status: string; error?: string }>(`${prometheus.url}${endpoint}`, { params, validateStatus: () => true });
        if (res.data.status !== 'success') refused.push(`${queryName(q)} (${endpoint}): ${res.data.error ?? res.status}\n  ${query}`);
      }
    }
    assert.deepEqual(refused, []);
  });
});
