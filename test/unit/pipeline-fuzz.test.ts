/**
 * Generated pipeline files (issue 9): mutations of the fixtures and of pipelines/, and hostile
 * inputs (deep nesting, aliases, huge keys and values, binary junk, unicode, huge numbers,
 * empty and zero durations, duplicate keys, many documents, tags). For every case the loader
 * returns findings or a spec — it never throws — within a time bound, with located, bounded
 * messages; and inputs known to be nonsense are rejected, not accepted.
 *
 * Seeded: RAMP_FUZZ_SEED=<n> picks another set (the default is fixed, so CI is repeatable);
 * every failure names the seed and the case. RAMP_FUZZ_CASES=<n> scales the mutation count.
 */
import { FUZZ_SEED, prng, type Random } from '../support/random.js';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { isMap, isScalar, isSeq, parse, parseDocument, stringify, visit } from 'yaml';
import { MAX_DURATION_MS } from '../../src/domain/duration.js';
import { formatPath } from '../../src/schema/issue.js';
import { pipelineJsonSchema, type JsonSchema } from '../../src/schema/json-schema.js';
import { Limits } from '../../src/schema/limits.js';
import { loadPipelineSource, type LoadResult } from '../../src/schema/load.js';
import { DURATION_PATTERN } from '../../src/domain/duration.js';

const SEED = FUZZ_SEED;
const MUTATIONS = Number(process.env.RAMP_FUZZ_CASES ?? 800);
/** Far above any case's time on a loaded 2-core machine (most take a few ms), far below a hang or a quadratic blow-up. */
const CASE_BUDGET_MS = 10_000;
const REPRODUCE = `seed ${SEED}; reproduce with RAMP_FUZZ_SEED=${SEED} npx tsx scripts/test.ts --no-check test/unit/pipeline-fuzz.test.ts`;

const root = fileURLToPath(new URL('../../', import.meta.url));
const yamlIn = (dir: string) =>
  readdirSync(join(root, dir))
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((f) => readFileSync(join(root, dir, f), 'utf8'));
const VALID = [...yamlIn('test/fixtures/pipelines/valid'), ...yamlIn('pipelines')];
const ALL = [...VALID, ...yamlIn('test/fixtures/pipelines/invalid')];

interface Case {
  kind: string;
  source: string;
  /** Known nonsense: the loader must reject it (and, with a path, report an error there). */
  reject?: { path?: string };
}

const TOKENS = [
  '',
  ' ',
  '\t',
  '\n',
  ':',
  ': ',
  '- ',
  '[',
  ']',
  '{',
  '}',
  ',',
  '&a ',
  '*a',
  '*b',
  '!!binary ',
  '!x ',
  '!!js/function ',
  '? ',
  '|',
  '>-',
  '"',
  "'",
  '#',
  '---\n',
  '...\n',
  '%YAML 1.1\n',
  '<<: *a\n',
  '\u0000',
  '\uFEFF',
  '\uD800',
  '😀',
  'é',
  '\u202E',
  '\r\n',
  '9'.repeat(400),
  '-1',
  '1e999',
  '.inf',
  '.nan',
  '0x10',
  'null',
  '~',
  'true',
  'yes',
  '""',
  "''",
  '0s',
  '999999999999d',
  '__proto__',
  'constructor',
  '{{args.x}}',
  '../',
  '/etc',
];

function junk(r: Random, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += r.chance(0.7) ? String.fromCharCode(r.int(256)) : String.fromCodePoint(r.int(0x10ffff));
  return out;
}

function mutateText(r: Random, source: string): string {
  let text = source;
  for (let n = 1 + r.int(4); n > 0; n--) {
    const at = r.int(text.length + 1);
    const lines = text.split('\n');
    const line = r.int(lines.length);
    switch (r.int(8)) {
      case 0:
        text = text.slice(0, at) + text.slice(at + 1 + r.int(40));
        break;
      case 1:
        text = text.slice(0, at) + r.pick(TOKENS) + text.slice(at);
        break;
      case 2:
        lines.splice(line, 0, lines[r.int(lines.length)]!);
        text = lines.join('\n');
        break;
      case 3:
        lines[line] = ' '.repeat(r.int(12)) + lines[line]!.trimStart();
        text = lines.join('\n');
        break;
      case 4:
        text = text.slice(0, at);
        break;
      case 5:
        text = text.slice(0, at) + junk(r, 1 + r.int(64)) + text.slice(at);
        break;
      case 6:
        text = text.replace(/\b\d+(ms|s|m|h|d)?\b/, r.pick(['""', '0s', '999999999999d', '1e400', '-5', '0', '1.5', `${'9'.repeat(30)}`]));
        break;
      default: {
        const other = r.int(lines.length);
        [lines[line], lines[other]] = [lines[other]!, lines[line]!];
        text = lines.join('\n');
      }
    }
  }
  return text;
}

type Tree = Record<string, unknown> | unknown[];
const isTree = (v: unknown): v is Tree => v !== null && typeof v === 'object';

function containers(value: unknown, out: Tree[] = []): Tree[] {
  if (!isTree(value)) return out;
  out.push(value);
  for (const child of Object.values(value)) containers(child, out);
  return out;
}

function hostileValue(r: Random): unknown {
  switch (r.int(12)) {
    case 0:
      return '';
    case 1:
      return null;
    case 2:
      return r.pick([0, -1, 1e308, -1e308, 2 ** 53 + 1, 0.5, Number.MAX_SAFE_INTEGER]);
    case 3:
      return 'x'.repeat(r.pick([100, 10_000, Limits.stringLength + 1]));
    case 4:
      return junk(r, 1 + r.int(200));
    case 5:
      return [];
    case 6:
      return {};
    case 7:
      return Object.fromEntries(Array.from({ length: r.pick([5, 200, Limits.keysPerMapping + 1]) }, (_, i) => [`k${i}`, i]));
    case 8: {
      let v: unknown = 'x';
      for (let i = r.int(90); i > 0; i--) v = r.chance(0.5) ? [v] : { a: v };
      return v;
    }
    case 9:
      return r.pick(['0s', '', '999999999999d', '1h1h', '30', ' 5m', '5m ', '1d2h3m4s5ms']);
    case 10:
      return r.pick(['../x', '/abs', './a/../..', 'a\\b', '.', './', 'C:/x']);
    default:
      return r.pick(['ramp/v1', 'Pipeline', 'canary', 'setWeight', 'group:', '{{ramp.version}}', 'true', 'é😀\u202E']);
  }
}

function mutateTree(r: Random, source: string): string {
  const tree: unknown = parse(source);
  const all = containers(tree);
  if (all.length === 0) return source;
  for (let n = 1 + r.int(3); n > 0; n--) {
    const target = r.pick(all);
    const keys = Object.keys(target);
    if (Array.isArray(target)) {
      if (r.chance(0.3) && target.length > 0) target.push(structuredClone(target[r.int(target.length)]));
      else if (target.length > 0) target[r.int(target.length)] = hostileValue(r);
      else target.push(hostileValue(r));
    } else if (keys.length > 0 && r.chance(0.3)) {
      delete target[r.pick(keys)];
    } else if (keys.length > 0 && r.chance(0.6)) {
      target[r.pick(keys)] = hostileValue(r);
    } else {
      target[r.pick(['typo', 'stratgy', 'setWeigth', '__proto__', 'x'.repeat(300), ''])] = hostileValue(r);
    }
  }
  return stringify(tree, { aliasDuplicateObjects: false, lineWidth: 0 });
}

/** Hostile files that are not edits of a pipeline. */
const HOSTILE: ((r: Random) => string)[] = [
  (r) => Array.from({ length: 20 + r.int(1500) }, (_, i) => `${' '.repeat(i)}a:`).join('\n'),
  (r) => `a: ${'['.repeat(1 + r.int(300_000))}`,
  (r) => `a: ${'{b: '.repeat(1 + r.int(100_000))}`,
  (r) => `a: ${'- '.repeat(1 + r.int(5_000))}x`,
  (r) => `a: *${'u'.repeat(1 + r.int(100_000))}\n`,
  (r) =>
    `a: &a x\nb: [${Array(1 + r.int(3 * Limits.aliases))
      .fill('*a')
      .join(', ')}]\n`,
  (r) => `a: &a [*a${r.chance(0.5) ? ', x' : ''}]\n`,
  (r) => {
    const n = 2 + r.int(8);
    const lines = ['l0: &l0 [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < n; i++)
      lines.push(
        `l${i}: &l${i} [${Array(10)
          .fill(`*l${i - 1}`)
          .join(', ')}]`,
      );
    return lines.join('\n');
  },
  (r) => `${'k'.repeat(1 + r.int(200_000))}: 1\n`,
  (r) => Array.from({ length: 1 + r.int(20_000) }, (_, i) => `k${i}: ${i}`).join('\n'),
  (r) => junk(r, 1 + r.int(20_000)),
  (r) => Array.from({ length: 1 + r.int(2_000) }, () => '---\na: 1').join('\n'),
  (r) => `a: 1\n${Array.from({ length: r.int(2_000) }, () => 'a: 2').join('\n')}\n`,
  (r) => `a: ${r.pick(['1e999', '-.inf', '.nan', '0x' + 'f'.repeat(400), '9'.repeat(5_000), '0o777', '1_000'])}\n`,
  (r) => `${r.pick(['!!binary', '!!js/function', '!<tag:yaml.org,2002:str>', '!custom', '!!set', '!!omap'])} ${r.pick(['aGk=', '{a: 1}', '[1]', 'x'])}\n`,
  (r) => `a: &a {x: 1}\nb:\n  <<: *a\n  ${r.pick(['<<: [*a, *a]', 'y: 2'])}\n`,
  (r) => `? ${r.pick(['[a, b]', '{a: 1}', '*a', '|\n  block'])}\n: value\n`,
  (r) => `\uFEFF${r.pick(VALID).replaceAll('\n', r.pick(['\r\n', '\r', '\u2028']))}`,
  (r) => `"${'\\u'.repeat(1 + r.int(5_000))}"`,
  (r) => `a: ${r.pick(['"', "'", '|', '>'])}${'x\n'.repeat(1 + r.int(20_000))}`,
  (r) => `${r.pick(VALID)}\n${'#'.repeat(r.pick([10, Limits.fileBytes]))}\n`,
  (r) =>
    `%YAML 1.1\n---\na: ${r.pick(['!!omap', '!!pairs', '!!set'])}\n  ${r.pick(['- x: &a [*a]', '- x: *nope', '? &s [*s]', '- x: 2001-12-14t21:59:43.10-05:00', '- x: !!binary aGk='])}\n`,
  () => '',
  () => '\u0000',
  () => '---\n...\n',
];

/** Durations, in every field that holds one, set to nonsense: each must be a located error. */
function nonsenseDurations(): Case[] {
  const cases: Case[] = [];
  for (const source of VALID) {
    const doc = parseDocument(source);
    const spots: { path: (string | number)[]; key: string }[] = [];
    visit(doc, {
      Pair: (_, pair, ancestors) => {
        if (!isScalar(pair.key) || !isScalar(pair.value) || typeof pair.value.value !== 'string') return;
        if (!new RegExp(DURATION_PATTERN).test(pair.value.value)) return;
        spots.push({ path: documentPath(ancestors, String(pair.key.value)), key: String(pair.key.value) });
      },
    });
    for (const { path, key } of spots) {
      const zeroAllowed = key === 'initialDelay';
      for (const bad of ['', ' ', '999999999999d', '366d', `${'9'.repeat(40)}ms`, ...(zeroAllowed ? [] : ['0s', '0ms', '0d0h0m'])]) {
        const copy = parseDocument(source);
        copy.setIn(path, bad);
        cases.push({ kind: 'nonsense-duration', source: copy.toString(), reject: { path: formatPath(path) } });
      }
    }
  }
  return cases;
}

/** Two stages, one directory spelled two ways; and paths that leave the repository. */
function nonsensePaths(): Case[] {
  const cases: Case[] = [];
  for (const source of VALID) {
    const doc = parseDocument(source);
    const stages = doc.getIn(['spec', 'stages']);
    if (!isSeq(stages) || stages.items.length < 2) continue;
    const first = String(doc.getIn(['spec', 'stages', 0, 'path']));
    for (const spelling of [`./${first}`, `${first}/`, `${first}//`, `./${first}/.`, first.replace('/', '//')]) {
      const copy = parseDocument(source);
      copy.setIn(['spec', 'stages', 1, 'path'], spelling);
      cases.push({ kind: 'nonsense-path', source: copy.toString(), reject: { path: 'spec.stages[1].path' } });
    }
    for (const outside of ['../x', 'envs/../../x', '/etc', 'C:/x', 'a\\b', '', 'a/\u0000']) {
      const copy = parseDocument(source);
      copy.setIn(['spec', 'stages', 1, 'path'], outside);
      cases.push({ kind: 'nonsense-path', source: copy.toString(), reject: { path: 'spec.stages[1].path' } });
    }
  }
  return cases;
}

function documentPath(ancestors: readonly unknown[], key: string): (string | number)[] {
  const path: (string | number)[] = [];
  for (let i = 1; i < ancestors.length; i++) {
    const parent = ancestors[i - 1];
    const node = ancestors[i];
    if (isSeq(parent)) path.push(parent.items.indexOf(node));
    else if (isMap(parent) && node && typeof node === 'object' && 'key' in node && isScalar(node.key)) path.push(String(node.key.value));
  }
  return [...path, key];
}

function generate(): Case[] {
  const r = prng(SEED);
  const cases: Case[] = [];
  for (let i = 0; i < MUTATIONS; i++) {
    cases.push(r.chance(0.55) ? { kind: 'mutated-text', source: mutateText(r, r.pick(ALL)) } : { kind: 'mutated-tree', source: mutateTree(r, r.pick(VALID)) });
  }
  for (let i = 0; i < 8; i++) HOSTILE.forEach((make, k) => cases.push({ kind: `hostile-${k}`, source: make(r) }));
  return [...cases, ...nonsenseDurations(), ...nonsensePaths()];
}

/** What must hold for any result: findings located and bounded, or a sane spec. */
function checkResult(result: LoadResult, c: Case): void {
  const issues = [...(result.ok ? [] : result.errors), ...result.warnings];
  for (const issue of issues) {
    assert.ok(issue.line >= 1 && issue.column >= 1, `finding at ${issue.line}:${issue.column}`);
    assert.ok(issue.code.length > 0 && issue.message.length > 0, 'a finding has a code and a message');
    assert.ok(issue.message.length <= Limits.messageLength, `a message of ${issue.message.length} characters: ${issue.message.slice(0, 200)}`);
    assert.ok(formatPath(issue.path).length <= 20_000, 'a bounded field path');
  }
  assert.ok(issues.length <= 2 * (Limits.findings + 1), `${issues.length} findings`);
  if (!result.ok) {
    assert.ok(result.errors.length > 0, 'an invalid result has an error');
    if (c.reject?.path)
      assert.ok(
        result.errors.some((e) => formatPath(e.path) === c.reject!.path),
        `an error at ${c.reject.path}; got ${result.errors.map((e) => `${formatPath(e.path)} ${e.code}`).join('; ')}`,
      );
    return;
  }
  assert.equal(c.reject, undefined, 'known nonsense was accepted');
  JSON.stringify(result.spec);
  const durations: [string, unknown][] = [];
  const walk = (value: unknown, key: string) => {
    if (isTree(value)) for (const [k, v] of Object.entries(value)) walk(v, k);
    else if (/Ms$/.test(key) && value !== null) durations.push([key, value]);
  };
  walk(result.spec, '');
  for (const [key, ms] of durations) {
    assert.ok(
      typeof ms === 'number' && Number.isSafeInteger(ms) && ms <= MAX_DURATION_MS && (ms > 0 || key === 'initialDelayMs'),
      `${key} = ${String(ms)} ms was accepted`,
    );
  }
  const paths = result.spec.stages.map((s) => s.path);
  assert.equal(new Set(paths).size, paths.length, `stage paths ${paths.join(', ')}`);
  assert.ok(
    paths.every((p) => !p.split('/').includes('..') && !p.startsWith('/') && !p.startsWith('./') && !p.endsWith('/')),
    paths.join(', '),
  );
}

/** The generalised paths (`[]` for any index) of every duration field the schema has. */
function schemaDurationFields(schema: JsonSchema, path: string, out: Set<string>): Set<string> {
  if (schema.pattern === DURATION_PATTERN) out.add(path);
  for (const branch of [...(schema.anyOf ?? []), ...(schema.oneOf ?? [])]) schemaDurationFields(branch, path, out);
  for (const [key, child] of Object.entries(schema.properties ?? {})) schemaDurationFields(child, path ? `${path}.${key}` : key, out);
  if (schema.items) schemaDurationFields(schema.items, `${path}[]`, out);
  return out;
}

describe(`generated pipeline files (${REPRODUCE})`, () => {
  const cases = generate();
  const kinds = new Map<string, Case[]>();
  for (const c of cases) kinds.set(c.kind.replace(/-\d+$/, ''), [...(kinds.get(c.kind.replace(/-\d+$/, '')) ?? []), c]);

  test('the generated set is large and covers every kind, and every duration field of the schema', () => {
    assert.ok(VALID.length >= 3 && ALL.length >= 30, 'the fixtures are found');
    assert.ok(cases.length >= 1_000, `${cases.length} cases`);
    for (const kind of ['mutated-text', 'mutated-tree', 'hostile', 'nonsense-duration', 'nonsense-path'])
      assert.ok((kinds.get(kind)?.length ?? 0) >= 20, `${kind}: ${kinds.get(kind)?.length ?? 0}`);
    const generalise = (path: string) => path.replace(/\[\d+\]/g, '[]');
    const covered = new Set(kinds.get('nonsense-duration')!.map((c) => generalise(c.reject!.path!)));
    const missing = [...schemaDurationFields(pipelineJsonSchema(), '', new Set())].filter((field) => !covered.has(field));
    assert.deepEqual(missing, [], 'duration fields that no valid fixture sets (add them to test/fixtures/pipelines/valid/every-duration.yaml)');
  });

  for (const [kind, group] of kinds) {
    test(`${kind}: ${group.length} cases`, (t) => {
      let slowest = 0;
      group.forEach((c, index) => {
        const started = performance.now();
        let result: LoadResult;
        try {
          result = loadPipelineSource(c.source, 'generated.yaml');
        } catch (error) {
          assert.fail(
            `${kind} case ${index} threw (${REPRODUCE}): ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\ninput: ${JSON.stringify(c.source.slice(0, 300))}`,
          );
        }
        const elapsed = performance.now() - started;
        slowest = Math.max(slowest, elapsed);
        assert.ok(elapsed < CASE_BUDGET_MS, `${kind} case ${index} took ${Math.round(elapsed)} ms (${REPRODUCE})`);
        try {
          checkResult(result, c);
        } catch (error) {
          throw new Error(
            `${kind} case ${index} (${REPRODUCE}): ${error instanceof Error ? error.message : String(error)}\ninput: ${JSON.stringify(c.source.slice(0, 400))}`,
            { cause: error },
          );
        }
      });
      t.diagnostic(`slowest case ${Math.round(slowest)} ms`);
    });
  }
});
