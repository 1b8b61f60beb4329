/**
 * Every pipeline under test/fixtures/pipelines ends with `# expect:` lines: the exact findings
 * `ramp validate` must report for it (position, field path, severity and message), or
 * `# expect: valid`. Broken fixtures live in invalid/, one mistake each.
 */
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { formatPath } from '../../src/schema/issue.js';
import { loadPipelineSource } from '../../src/schema/load.js';

const root = fileURLToPath(new URL('../fixtures/pipelines/', import.meta.url));

async function fixtures(folder: string): Promise<string[]> {
  return (await readdir(join(root, folder)))
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((f) => join(folder, f));
}

function expectations(source: string): string[] {
  return source
    .split('\n')
    .filter((line) => line.startsWith('# expect: '))
    .map((line) => line.slice('# expect: '.length));
}

async function check(fixture: string): Promise<void> {
  const source = await readFile(join(root, fixture), 'utf8');
  const expected = expectations(source);
  assert.ok(expected.length > 0, `${fixture} has no "# expect:" lines`);
  const result = loadPipelineSource(source, fixture);
  const findings = [...(result.ok ? [] : result.errors), ...result.warnings]
    .sort((a, b) => a.line - b.line || a.column - b.column)
    .map((i) => `${i.line}:${i.column}  ${formatPath(i.path)}  ${i.severity}: ${i.message}`);
  assert.deepEqual(findings.length === 0 ? ['valid'] : findings, expected);
  assert.equal(result.ok, !expected.some((e) => / error: /.test(e)), 'ok must be false exactly when there are errors');
}

describe('broken pipeline fixtures', async () => {
  const invalid = await fixtures('invalid');
  test('there are at least 20, one mistake each', () => assert.ok(invalid.length >= 20, `only ${invalid.length}`));
  for (const fixture of invalid) test(fixture, () => check(fixture));
});

describe('valid pipeline fixtures', async () => {
  const valid = await fixtures('valid');
  test('there are some (the minimal one and the one with warnings at least)', () => {
    assert.ok(valid.includes(join('valid', 'minimal.yaml')) && valid.includes(join('valid', 'warnings.yaml')), valid.join(', '));
  });
  for (const fixture of valid) test(fixture, () => check(fixture));
});
