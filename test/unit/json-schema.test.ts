/**
 * The JSON Schema editors use is generated from the zod schema; this keeps the committed
 * file honest, and checks that every example pipeline points editors at it.
 */
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { describe, test } from 'node:test';
import { SCHEMA_FILE, renderSchema } from '../../scripts/generate-schema.js';
import { knownFields, describeField } from '../../src/schema/json-schema.js';

const pipelinesDir = new URL('../../pipelines/', import.meta.url);

describe('pipeline.schema.json', () => {
  test('matches the zod schema (run `npm run schema` after changing src/schema)', async () => {
    assert.equal(await readFile(SCHEMA_FILE, 'utf8'), renderSchema());
  });

  test('describes the input shape: durations as strings, steps as Argo writes them', () => {
    const schema = JSON.parse(renderSchema());
    const metric = schema.properties.spec.properties.analysisTemplates.items.properties.metrics.items;
    assert.equal(metric.properties.interval.type, 'string');
    assert.equal(metric.properties.consecutiveErrorLimit.default, 4);
    assert.deepEqual(metric.required, ['name', 'provider']);
    const step = schema.properties.spec.properties.stages.items.properties.strategy.anyOf[1].properties.canary.properties.steps.items;
    assert.deepEqual(
      step.anyOf.map((s: { required: string[] }) => s.required[0]),
      ['setWeight', 'pause', 'analysis', 'approval'],
    );
  });

  test('field lookups used for hints follow unions', () => {
    assert.deepEqual(knownFields(['spec', 'stages', 0, 'strategy']), ['direct', 'canary']);
    assert.match(describeField(['spec', 'stages', 0, 'path']) ?? '', /directory/);
  });

  test('every example pipeline references it for editor completion', async () => {
    const files = (await readdir(pipelinesDir)).filter((f) => /\.ya?ml$/.test(f));
    assert.ok(files.length > 0);
    for (const file of files) {
      const first = (await readFile(new URL(file, pipelinesDir), 'utf8')).split('\n')[0];
      assert.equal(first, '# yaml-language-server: $schema=../src/schema/pipeline.schema.json', file);
    }
  });
});

describe('docs/pipeline.md', () => {
  test('documents every cross-field rule by its code', async () => {
    const { rules } = await import('../../src/schema/rules.js');
    const doc = await readFile(new URL('../../docs/pipeline.md', import.meta.url), 'utf8');
    const missing = rules.map((r) => r.id).filter((id) => !doc.includes(`| \`${id}\` |`));
    assert.deepEqual(missing, []);
  });
});
