/**
 * Generated policy files and cases files: mutations of the examples in pipelines/policies/ and
 * hostile inputs (junk, deep nesting, aliases, huge strings, random CEL). For every case the
 * loaders return a value or located findings — they never throw — within a time bound, and the
 * evaluator decides every accepted policy over every accepted case without throwing.
 *
 * Seeded: RAMP_FUZZ_SEED=<n> picks another set; every failure names the seed and the case.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';
import { loadCasesSource, runCases } from '../../src/governance/policy-cases.js';
import { loadPolicySource } from '../../src/governance/policy-file.js';
import { pin } from '../../src/governance/policy-hash.js';
import { FUZZ_SEED, prng, type Random } from '../support/random.js';

const SEED = FUZZ_SEED;
const CASES = Number(process.env.RAMP_FUZZ_CASES ?? 300);
const CASE_BUDGET_MS = 10_000;
const REPRODUCE = `seed ${SEED}; reproduce with RAMP_FUZZ_SEED=${SEED} npx tsx scripts/test.ts --no-check test/unit/policy-fuzz.test.ts`;

const root = fileURLToPath(new URL('../../', import.meta.url));
const ORG = readFileSync(`${root}pipelines/policies/org.yaml`, 'utf8');
const ORG_CASES = readFileSync(`${root}pipelines/policies/org.cases.yaml`, 'utf8');

const CEL_PARTS = [
  'stage.name',
  'release.image',
  'now',
  'diff.files',
  'approvals',
  '==',
  '&&',
  '||',
  '!',
  '(',
  ')',
  '"x"',
  '1',
  'true',
  '.size()',
  'has(',
  'duration("1h")',
  'x.y.z',
  '[',
  ']',
  '{',
  '}',
  '?',
  ':',
];
const JUNK = ['', '\u0000', '{{', '- - -', 'kind: Policies', ': :', '&a [*a, *a]', '"\\u', '\t\t', '💥', 'null', '~', '!!binary x', 'a'.repeat(5000)];

/** Replaces a random node of the parsed document with something else. */
function mutate(value: unknown, r: Random, depth = 0): unknown {
  if (depth > 6 || r.chance(0.15)) {
    switch (r.int(7)) {
      case 0:
        return r.pick(JUNK);
      case 1:
        return Array.from({ length: r.int(6) }, () => r.pick(CEL_PARTS)).join(' ');
      case 2:
        return r.int(1e9) * (r.chance(0.5) ? -1 : 1);
      case 3:
        return null;
      case 4:
        return [];
      case 5:
        return { [r.pick(['name', 'at', 'when', 'effect', 'nme', 'require', 'input', 'expect'])]: r.pick(JUNK) };
      default:
        return r.chance(0.5);
    }
  }
  if (Array.isArray(value)) {
    const copy = value.map((v) => (r.chance(0.3) ? mutate(v, r, depth + 1) : v));
    if (r.chance(0.1)) copy.push(mutate(null, r, depth + 1));
    if (r.chance(0.1)) copy.splice(r.int(copy.length + 1), 1);
    return copy;
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).map(([k, v]) => [k, r.chance(0.3) ? mutate(v, r, depth + 1) : v] as const);
    if (r.chance(0.1)) entries.splice(r.int(entries.length + 1), 1);
    return Object.fromEntries(entries);
  }
  return r.chance(0.5) ? mutate(null, r, depth + 1) : value;
}

function hostile(r: Random): string {
  switch (r.int(4)) {
    case 0:
      return Array.from({ length: r.int(200) }, () => r.pick(JUNK)).join(r.pick(['\n', ' ', ': ', '\n  - ']));
    case 1:
      return `${'['.repeat(500 + r.int(500))}`;
    case 2:
      return `a: &a [${Array.from({ length: 50 }, () => 'x').join(',')}]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c, *c, *c]\n`;
    default:
      return `kind: Policies\npolicies:\n${Array.from({ length: 50 }, () => `  - when: ${JSON.stringify(r.pick(CEL_PARTS).repeat(r.int(300)))}`).join('\n')}\n`;
  }
}

function timed<T>(what: string, run: () => T): T {
  const started = performance.now();
  let result: T;
  try {
    result = run();
  } catch (error) {
    assert.fail(`${what} threw (${REPRODUCE}): ${error instanceof Error ? error.stack : String(error)}`);
  }
  const took = performance.now() - started;
  assert.ok(took < CASE_BUDGET_MS, `${what} took ${Math.round(took)} ms (${REPRODUCE})`);
  return result;
}

describe(`policy files and cases files, generated (${REPRODUCE})`, () => {
  test(`${CASES} mutations of the examples and hostile inputs: never a throw, findings located, accepted ones evaluate`, () => {
    const r = prng(SEED);
    const orgDoc: unknown = parse(ORG);
    const casesDoc: unknown = parse(ORG_CASES);
    let accepted = 0;
    for (let i = 0; i < CASES; i++) {
      const policySource = r.chance(0.2) ? hostile(r) : stringify(mutate(orgDoc, r));
      const casesSource = r.chance(0.2) ? hostile(r) : stringify(mutate(casesDoc, r));
      const policies = timed(`case ${i}: loading the policy file`, () => loadPolicySource(policySource, 'org.yaml'));
      if (!policies.ok) {
        assert.ok(policies.errors.length > 0, `case ${i}: rejected without a finding`);
        for (const e of policies.errors) assert.ok(e.line >= 1 && e.column >= 1 && e.message.length > 0, `case ${i}: ${JSON.stringify(e)}`);
      }
      const pinned = policies.ok ? policies.value.policies.map((p) => pin(p, 'org.yaml')) : [];
      const cases = timed(`case ${i}: loading the cases file`, () => loadCasesSource(casesSource, 'cases.yaml', pinned));
      if (!cases.ok) {
        for (const e of cases.errors) assert.ok(e.line >= 1 && e.column >= 1 && e.message.length > 0, `case ${i}: ${JSON.stringify(e)}`);
        continue;
      }
      accepted++;
      const results = timed(`case ${i}: running the cases`, () => runCases(pinned, cases.value));
      assert.equal(results.length, cases.value.cases.length);
    }
    assert.ok(accepted > 0, 'some mutations are still valid (the generator is not all junk)');
  });

  test('known nonsense is rejected, not accepted', () => {
    for (const source of [
      'kind: Policies\n',
      'apiVersion: ramp/v1\nkind: Policies\nmetadata: { name: x }\npolicies: []\n',
      'apiVersion: ramp/v1\nkind: Policies\nmetadata: { name: x }\npolicies:\n  - { name: p, at: [commit], when: "1 +", effect: deny, message: m }\n',
    ]) {
      assert.equal(loadPolicySource(source, 'x.yaml').ok, false, source);
    }
    assert.equal(loadCasesSource('cases: []\n', 'c.yaml', []).ok, false);
  });
});
