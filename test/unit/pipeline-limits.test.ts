/**
 * Hostile and nonsensical pipeline files (issue 9): each gets located findings — never an
 * exception, a stack overflow, a hang or a silent "valid". One test per input the generated
 * cases found; each failed before the loader checked structure and limits.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { formatPath, type LocatedIssue } from '../../src/schema/issue.js';
import { Limits } from '../../src/schema/limits.js';
import { loadPipelineSource, type LoadResult } from '../../src/schema/load.js';

const minimal = readFileSync(new URL('../fixtures/pipelines/valid/minimal.yaml', import.meta.url), 'utf8');

/** The minimal valid fixture with `from` replaced by `to` (which must occur). */
function edit(from: string, to: string, source = minimal): string {
  assert.ok(source.includes(from), `the fixture holds ${JSON.stringify(from)}`);
  return source.replace(from, to);
}

function load(source: string): LoadResult {
  return loadPipelineSource(source, 'hostile.yaml');
}

/** The errors of an input that must be rejected. */
function errors(source: string): LocatedIssue[] {
  const result = load(source);
  assert.equal(result.ok, false, 'the input must be rejected');
  return result.ok ? [] : result.errors;
}

const summary = (issues: LocatedIssue[]) => issues.map((i) => `${i.line}:${i.column} ${formatPath(i.path)} ${i.code}`);

describe('aliases', () => {
  test('an undefined alias is a located error, not an exception', () => {
    const found = errors(edit('  name: shop\n', '  name: *shop\n'));
    assert.deepEqual(summary(found), ['4:9 metadata.name undefined-alias']);
    assert.match(found[0]!.message, /the alias \*shop names no anchor before it\. Define the anchor/);
  });

  test('a valid pipeline may use one anchor 101 times', () => {
    const stages = Array.from({ length: 101 }, (_, i) => `    - { name: s${i}, path: envs/s${i}, update: [{ kustomizeImage: { name: *image } }] }`);
    const source = edit('    image: registry.example.com/shop\n', '    image: &image registry.example.com/shop\n').replace(
      / {2}stages:\n[\s\S]*?\n\n/,
      `  stages:\n${stages.join('\n')}\n\n`,
    );
    const result = load(source);
    assert.ok(result.ok, result.ok ? '' : summary(result.errors).join('\n'));
    assert.equal(result.spec.stages.length, 101);
    assert.equal(result.spec.stages[100]!.update[0]!.kind, 'kustomizeImage');
  });

  test(`more than ${Limits.aliases} aliases are refused at the first one past the limit`, () => {
    const source = edit(
      '    image: registry.example.com/shop\n',
      `    image: &i registry.example.com/shop\n  x: [${Array(Limits.aliases + 1)
        .fill('*i')
        .join(', ')}]\n`,
    );
    const found = errors(source);
    assert.deepEqual(
      found.map((i) => i.code),
      ['too-many-aliases'],
    );
  });

  test('an alias inside its own anchor is refused (it never ends)', () => {
    assert.deepEqual(summary(errors(edit('  name: shop\n', '  name: shop\n  loop: &loop [a, *loop]\n'))), ['5:19 metadata.loop[1] alias-cycle']);
  });

  test('a YAML 1.1 !!omap holding an alias inside its own anchor is refused too', () => {
    assert.deepEqual(summary(errors('%YAML 1.1\n---\na: !!omap\n  - x: &a [*a]\n')), ['4:12 a[0].x[0] alias-cycle']);
  });

  test('aliases that expand past the node limit ("billion laughs") are refused', () => {
    const levels = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 9; i++)
      levels.push(
        `${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(10)
          .fill(`*${String.fromCharCode(96 + i)}`)
          .join(', ')}]`,
      );
    const found = errors(`${levels.join('\n')}\n`);
    assert.deepEqual(
      found.map((i) => i.code),
      ['too-large'],
    );
  });

  test('an alias that nests a value past the depth limit is refused', () => {
    const nest = (n: number, inner: string) => `${'['.repeat(n)}${inner}${']'.repeat(n)}`;
    const found = errors(`a: &a ${nest(40, 'x')}\nb: ${nest(30, '*a')}\n`);
    assert.deepEqual(
      found.map((i) => i.code),
      ['too-deep'],
    );
  });
});

describe('nesting', () => {
  test('block maps nested 2,000 deep are refused (the file is too large, or too deep), without overflowing the stack', () => {
    const lines = Array.from({ length: 2000 }, (_, i) => `${' '.repeat(i)}a:`);
    const found = errors(lines.join('\n'));
    assert.equal(found.length, 1);
    assert.ok(['too-large', 'too-deep'].includes(found[0]!.code), found[0]!.code);
  });

  test('block maps nested 1,000 deep (under the size limit) are refused where they pass the depth limit', () => {
    const lines = Array.from({ length: 1000 }, (_, i) => `${' '.repeat(i)}a:`);
    const found = errors(lines.join('\n'));
    assert.deepEqual(
      found.map((i) => i.code),
      ['too-deep'],
    );
    assert.ok(found[0]!.line > Limits.depth - 2 && found[0]!.line < Limits.depth + 6, `line ${found[0]!.line}`);
    assert.doesNotMatch(found[0]!.message, /call stack/);
  });

  test('flow lists nested 200,000 deep are refused at the depth limit', () => {
    const found = errors(`x: ${'['.repeat(200_000)}`);
    assert.deepEqual(
      found.map((i) => `${i.line} ${i.code}`),
      ['1 too-deep'],
    );
  });

  test(`${Limits.depth} levels are allowed (then the schema speaks)`, () => {
    const found = errors(edit('  name: shop\n', `  name: shop\n  deep: ${'['.repeat(Limits.depth - 2)}${']'.repeat(Limits.depth - 2)}\n`));
    assert.deepEqual(
      found.map((i) => `${formatPath(i.path)} ${i.code}`),
      ['metadata.deep unknown-field'],
    );
  });
});

describe('durations', () => {
  const pause = '- pause: { duration: 1m }';
  for (const [written, expected] of [
    ['""', /"" is not a duration/],
    ['0s', /"0s" is no time at all, and this needs a positive duration/],
    ['0ms', /"0ms" is no time at all/],
    ['999999999999d', /"999999999999d" is too long a duration/],
    ['366d', /"366d" is longer than a pipeline may wait \(365d\)/],
    [`${'9'.repeat(400)}s`, /is too long a duration/],
  ] as const) {
    test(`duration ${written.slice(0, 20)} is rejected, not read as 0 ms`, () => {
      const found = errors(edit(pause, `- pause: { duration: ${written} }`));
      assert.deepEqual(
        found.map((i) => formatPath(i.path)),
        ['spec.stages[0].strategy.canary.steps[3].pause.duration'],
      );
      assert.match(found[0]!.message, expected);
    });
  }

  test('an approval gate whose timeout is "" is rejected (its deadline would be now)', () => {
    const found = errors(edit('approvers: [alice, group:sre]', 'approvers: [alice, group:sre]\n        timeout: ""'));
    assert.deepEqual(
      found.map((i) => formatPath(i.path)),
      ['spec.stages[1].approval.timeout'],
    );
  });

  test('initialDelay may be 0s; 365d is the longest duration', () => {
    const result = load(edit('interval: 30s', 'interval: 365d\n          initialDelay: 0s'));
    assert.ok(result.ok, result.ok ? '' : summary(result.errors).join('\n'));
    assert.equal(result.spec.analysisTemplates[0]!.metrics[0]!.initialDelayMs, 0);
    assert.equal(result.spec.analysisTemplates[0]!.metrics[0]!.intervalMs, 365 * 86_400_000);
  });
});

describe('repository paths', () => {
  test('envs/staging and ./envs/staging are one directory', () => {
    const found = errors(edit('path: envs/production', 'path: ./envs/staging/'));
    assert.deepEqual(
      found.map((i) => `${formatPath(i.path)} ${i.code}`),
      ['spec.stages[1].path duplicate-stage-path'],
    );
  });

  test('paths are normalised in the spec', () => {
    const result = load(edit('path: envs/production', 'path: ./envs//production/.'));
    assert.ok(result.ok);
    assert.equal(result.spec.stages[1]!.path, 'envs/production');
  });

  test('./kustomization.yaml and kustomization.yaml are one file (the canary would overwrite the stable version)', () => {
    const canaryUpdate = '            - yamlUpdate:\n                file: canary.yaml\n                path: spec.template.spec.containers[0].image\n';
    const found = errors(edit(canaryUpdate, '            - kustomizeImage: { name: shop, file: ./kustomization.yaml }\n'));
    assert.deepEqual(
      found.map((i) => `${formatPath(i.path)} ${i.code}`),
      ['spec.stages[0].strategy.canary.update[0] canary-overwrites-stable'],
    );
  });

  for (const path of ['../x', 'envs/../../x', '/etc', 'C:/envs', 'envs\\\\prod', 'envs/\\u0000']) {
    test(`${path} is refused`, () => {
      const found = errors(edit('path: envs/production', `path: "${path}"`));
      assert.deepEqual(
        found.map((i) => formatPath(i.path)),
        ['spec.stages[1].path'],
      );
    });
  }
});

describe('size and cost', () => {
  test('16,000 unknown keys in one mapping: too many keys, at the mapping, and too many values where they pass the limit', () => {
    const keys = Array.from({ length: 16_000 }, (_, i) => `  k${i}: 1`).join('\n');
    const found = errors(edit('metadata:\n', `metadata:\n${keys}\n`));
    assert.deepEqual(summary(found), ['4:3 metadata too-many-keys', '10000:10 metadata.k9996 too-large']);
  });

  test(`${Limits.keysPerMapping - 2} unknown keys in each of 3 mappings: ${Limits.findings} findings, then how many more`, () => {
    const block = (indent: string) => Array.from({ length: Limits.keysPerMapping - 2 }, (_, i) => `${indent}k${i}: 1`).join('\n');
    const source = edit('metadata:\n', `metadata:\n${block('  ')}\n`)
      .replace('  artifact:\n', `  artifact:\n${block('    ')}\n`)
      .replace('  repository:\n', `  repository:\n${block('    ')}\n`);
    const found = errors(source);
    assert.equal(found.length, Limits.findings + 1);
    assert.ok(found.slice(0, -1).every((i) => i.code === 'unknown-field'));
    assert.equal(found[Limits.findings]!.code, 'more-findings');
    assert.match(
      found[Limits.findings]!.message,
      new RegExp(`^and ${(3 * (Limits.keysPerMapping - 2) - Limits.findings).toLocaleString('en')} more errors like these, not shown`),
    );
  });

  test('a file larger than 1 MiB is refused before it is parsed', () => {
    const found = errors(`${minimal}\n${'#'.repeat(Limits.fileBytes)}\n`);
    assert.deepEqual(summary(found), ['1:1 (document) too-large']);
  });

  test('a value longer than the string limit is refused, and the message does not repeat it', () => {
    const found = errors(edit('  name: shop\n', `  name: ${'a'.repeat(1_000_000)}\n`.slice(0, Limits.fileBytes - minimal.length)));
    assert.deepEqual(summary(found), ['4:9 metadata.name too-long']);
    assert.ok(found[0]!.message.length < 200);
  });

  test('quoted input is shortened in messages', () => {
    const image = `Registry.example.com/${'x'.repeat(10_000)}`;
    const found = errors(edit('image: registry.example.com/shop', `image: ${image}`));
    assert.deepEqual(
      found.map((i) => formatPath(i.path)),
      ['spec.artifact.image'],
    );
    assert.match(found[0]!.message, /^"Registry\.example\.com\/x+"… \(10,021 characters\) is not an image name/);
    assert.ok(found[0]!.message.length <= Limits.messageLength, `${found[0]!.message.length} characters`);
  });

  test('a key repeated in one mapping is located at its second occurrence', () => {
    assert.deepEqual(summary(errors(edit('  name: shop\n', '  name: shop\n  name: shop\n'))), ['5:3 metadata.name duplicate-key']);
  });
});
