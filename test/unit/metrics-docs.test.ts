/**
 * docs/metrics.md and src/observability/catalog.ts list the same metrics, each with the same
 * type, labels and source: a metric added, renamed or relabelled in one is in the other.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { METRICS } from '../../src/observability/catalog.js';

interface DocumentedMetric {
  name: string;
  type: string;
  labels: string[];
  source: string;
  meaning: string;
}

/** The rows of the tables whose first cell is a metric: | `name` | type | labels | source | meaning |. */
function documented(markdown: string): DocumentedMetric[] {
  const rows: DocumentedMetric[] = [];
  for (const line of markdown.split('\n')) {
    const match = /^\| `(ramp_[a-z_]+)` \| ([^|]+) \| ([^|]+) \| ([^|]+) \| (.+) \|$/.exec(line);
    if (!match) continue;
    rows.push({
      name: match[1]!,
      type: match[2]!.trim(),
      labels: match[3]!.split(',').map((l) => l.trim()),
      source: match[4]!.trim(),
      meaning: match[5]!.trim(),
    });
  }
  return rows;
}

describe('docs/metrics.md', () => {
  const rows = documented(readFileSync(new URL('../../docs/metrics.md', import.meta.url), 'utf8'));

  test('documents every metric of the catalog, once, and no other', () => {
    assert.ok(METRICS.length >= 30 && rows.length > 0, 'both lists are there');
    const names = rows.map((r) => r.name);
    assert.deepEqual(
      names.filter((n, i) => names.indexOf(n) !== i),
      [],
      'no metric documented twice',
    );
    assert.deepEqual([...names].sort(), METRICS.map((m) => m.name).sort());
  });

  test("each with the catalog's type, labels and source, and a meaning", () => {
    for (const metric of METRICS) {
      const row = rows.find((r) => r.name === metric.name);
      assert.ok(row, `${metric.name} is documented`);
      assert.deepEqual(
        { type: row.type, labels: row.labels, source: row.source },
        { type: metric.type, labels: [...metric.labels], source: metric.source },
        `${metric.name} as documented`,
      );
      assert.ok(row.meaning.length > 10, `${metric.name} says what it means`);
    }
  });
});
