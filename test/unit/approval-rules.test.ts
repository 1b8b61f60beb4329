/**
 * Approval rules (`require: "2 of group:sre and 1 of group:product"`), quorum by distinct
 * people with one approval toward one rule, and four-eyes. Tables, plus a seeded fuzz of the
 * parser: RAMP_FUZZ_SEED=<n> runs another set, and a failure names the seed.
 */
import { person } from '../support/actors.js';
import { FUZZ_SEED, prng } from '../support/random.js';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { formatApprovalRules, parseApprovalRules, rulesProgress, type ApprovalRule } from '../../src/domain/approval-rules.js';
import { samePerson, selfApprovalRefusal } from '../../src/domain/approval.js';
import { overrideApprovers, overrideRefusalFor } from '../../src/domain/override.js';
import { unverifiedActor, type Actor } from '../../src/identity/actor.js';
import { Access } from '../../src/schema/access.js';
import { Approval, approverEntry } from '../../src/schema/approval.js';
import { formatPath } from '../../src/schema/issue.js';
import { loadPipelineSource } from '../../src/schema/load.js';
import type { StageSpec } from '../../src/schema/pipeline.js';

const tokenGroups = (actor: Actor) => actor.groups;
const EXAMPLE = 'Write rules like "2 of group:sre and 1 of group:product"';

describe('parseApprovalRules', () => {
  const ok: [string, ApprovalRule[]][] = [
    ['1 of group:sre', [{ count: 1, group: 'sre' }]],
    [
      '2 of group:sre and 1 of group:product',
      [
        { count: 2, group: 'sre' },
        { count: 1, group: 'product' },
      ],
    ],
    [
      '  2  OF  group:sre   AND 1 of group:release-managers ',
      [
        { count: 2, group: 'sre' },
        { count: 1, group: 'release-managers' },
      ],
    ],
  ];
  for (const [text, rules] of ok) test(`parses ${JSON.stringify(text)}`, () => assert.deepEqual(parseApprovalRules(text), { ok: true, rules }));

  const bad: [string, string][] = [
    ['', `require is empty. ${EXAMPLE}`],
    ['two of group:sre', `"two of group:sre" in require is not a rule: a rule is <count> of group:<name>. ${EXAMPLE}`],
    ['2 of sre', '"2 of sre" in require counts "sre", which is not a group: rules count the members of a group. Write 2 of group:sre'],
    ['2 of group:', '"group:" in require is not a group. Write group:<name> (e.g. 2 of group:sre)'],
    ['0 of group:sre', '"0 of group:sre" in require needs nobody. A rule counts at least 1 approver'],
    ['101 of group:sre', '"101 of group:sre" in require asks for more than 100 approvers. Ask for fewer'],
    ['99999999999 of group:sre', '"99999999999 of group:sre" in require asks for more than 100 approvers. Ask for fewer'],
    ['2 of group:sre and', `"2 of group:sre and" in require is not a rule: a rule is missing around "and". ${EXAMPLE}`],
    ['2 of group:sre, 1 of group:product', `"2 of group:sre, 1 of group:product" in require is not a rule: a rule is <count> of group:<name>. ${EXAMPLE}`],
    ['2 of group:sre or 1 of group:product', `"2 of group:sre or 1 of group:product" in require is not a rule: a rule is <count> of group:<name>. ${EXAMPLE}`],
    ['1 of group:sre and 1 of group:sre', 'group:sre has two rules in require. Write one rule per group with the total count'],
  ];
  for (const [text, error] of bad) test(`refuses ${JSON.stringify(text)}`, () => assert.deepEqual(parseApprovalRules(text), { ok: false, error }));

  test('formatApprovalRules writes what parses back to the same rules', () => {
    const text = '2 of group:sre and 1 of group:product';
    const parsed = parseApprovalRules(text);
    assert.ok(parsed.ok);
    assert.equal(formatApprovalRules(parsed.rules), text);
  });
});

describe('require and minApprovals in the approval schema', () => {
  const parse = (input: object) => Approval.safeParse({ approvers: ['group:sre', 'group:product'], ...input });
  test('the string form', () => {
    const result = parse({ require: '2 of group:sre and 1 of group:product' });
    assert.ok(result.success);
    assert.deepEqual(result.data.require, [
      { count: 2, group: 'sre' },
      { count: 1, group: 'product' },
    ]);
    assert.equal(result.data.minApprovals, 3, "minApprovals defaults to the rules' total");
    assert.equal(result.data.allowSelfApproval, false);
  });
  test('the list form', () => {
    const result = parse({ require: [{ count: 2, of: 'group:sre' }], minApprovals: 4 });
    assert.ok(result.success);
    assert.deepEqual(result.data.require, [{ count: 2, group: 'sre' }]);
    assert.equal(result.data.minApprovals, 4, 'approvals past the rules may come from any approver');
  });
  test('without require: minApprovals 1, require null', () => {
    const result = parse({});
    assert.ok(result.success);
    assert.equal(result.data.minApprovals, 1);
    assert.equal(result.data.require, null);
  });
  test('a written minApprovals below the rules contradicts them', () => {
    const result = parse({ require: '2 of group:sre and 1 of group:product', minApprovals: 2 });
    assert.ok(!result.success);
    assert.deepEqual(
      result.error.issues.map((i) => [i.path.join('.'), i.message]),
      [
        [
          'minApprovals',
          'minApprovals is 2 but require (2 of group:sre and 1 of group:product) needs 3 distinct approvers. Remove minApprovals, or raise it to 3 or more (approvals past the rules may come from any approver)',
        ],
      ],
    );
  });
  test('a rule that does not parse is reported at require', () => {
    const result = parse({ require: '2 of sre' });
    assert.ok(!result.success);
    assert.deepEqual(
      result.error.issues.map((i) => i.path.join('.')),
      ['require'],
    );
  });
  test('the list form is checked like the string', () => {
    const result = parse({ require: [{ count: 1, of: 'sre' }] });
    assert.ok(!result.success);
    assert.match(result.error.issues[0]!.message, /Write 1 of group:sre/);
  });
});

describe('require in a pipeline file: located findings', () => {
  const fixture = readFileSync(new URL('../fixtures/pipelines/valid/access.yaml', import.meta.url), 'utf8');
  const findings = (require: string) => {
    const source = fixture.replace('require: 2 of group:sre and 1 of group:product', `require: ${require}`);
    assert.notEqual(source, fixture);
    const result = loadPipelineSource(source, 'p.yaml');
    return result.ok ? [] : result.errors.map((i) => `${formatPath(i.path)}: ${i.message}`);
  };
  const cases: [string, string[]][] = [
    ['3', ['spec.stages[1].approval.require: expected a string or a list, got the number 3']],
    ['{ count: 1, of: group:sre }', ['spec.stages[1].approval.require: expected a string or a list, got a mapping']],
    ['[{ count: 2 }]', ['spec.stages[1].approval.require[0].of: missing required field "of". The group: group:<name>.']],
    [
      '[{ count: 1, of: group:sre }, { count: 2, of: group:sre }]',
      ['spec.stages[1].approval.require: group:sre has two rules in require. Write one rule per group with the total count'],
    ],
    ['[{ count: 2, of: group:sre }, { count: 1, of: group:product }]', []],
  ];
  for (const [require, expected] of cases) test(`require: ${require}`, () => assert.deepEqual(findings(require), expected));
});

describe('rulesProgress', () => {
  const rules = (text: string): ApprovalRule[] => {
    const parsed = parseApprovalRules(text);
    assert.ok(parsed.ok);
    return parsed.rules;
  };
  const both = person('both', ['sre', 'product']);
  const sre1 = person('sre1', ['sre']);
  const sre2 = person('sre2', ['sre']);
  const prod = person('prod', ['product']);
  const cases: [string, Parameters<typeof rulesProgress>[0], Actor[], { met: boolean; summary: string; missing: string[] }][] = [
    ['no rules: minApprovals distinct people', { minApprovals: 2 }, [sre1, sre2], { met: true, summary: '2/2', missing: [] }],
    ['no rules: one person twice is one', { minApprovals: 2, require: null }, [sre1, sre1], { met: false, summary: '1/2', missing: ['1 more approver'] }],
    ['no rules: nobody yet', { minApprovals: 3 }, [], { met: false, summary: '0/3', missing: ['3 more approvers'] }],
    [
      'two rules met by three people',
      { minApprovals: 3, require: rules('2 of group:sre and 1 of group:product') },
      [sre1, sre2, prod],
      { met: true, summary: 'sre 2/2, product 1/1', missing: [] },
    ],
    [
      'one person in both groups counts toward one rule only',
      { minApprovals: 3, require: rules('2 of group:sre and 1 of group:product') },
      [both, sre1],
      { met: false, summary: 'sre 2/2, product 0/1', missing: ['1 more of group:product'] },
    ],
    [
      'the matching moves a person in both groups to where they are needed',
      { minApprovals: 3, require: rules('2 of group:sre and 1 of group:product') },
      [both, sre1, sre2],
      { met: true, summary: 'sre 2/2, product 1/1', missing: [] },
    ],
    [
      'a person in both groups approving first does not block the rule they leave',
      { minApprovals: 2, require: rules('1 of group:sre and 1 of group:product') },
      [both, prod],
      { met: true, summary: 'sre 1/1, product 1/1', missing: [] },
    ],
    [
      'the same person twice (two decisions, one key) is one approval',
      { minApprovals: 2, require: rules('2 of group:sre') },
      [sre1, { ...sre1, name: 'renamed' }],
      { met: false, summary: 'sre 1/2', missing: ['1 more of group:sre'] },
    ],
    [
      'an approver in no rule group fills no rule',
      { minApprovals: 1, require: rules('1 of group:sre') },
      [prod],
      { met: false, summary: 'sre 0/1', missing: ['1 more of group:sre'] },
    ],
    [
      'minApprovals above the rules: the rest from anyone',
      { minApprovals: 3, require: rules('1 of group:sre') },
      [sre1, prod],
      { met: false, summary: 'sre 1/1, total 2/3', missing: ['1 more approver'] },
    ],
    [
      'minApprovals above the rules, met',
      { minApprovals: 2, require: rules('1 of group:sre') },
      [prod, sre1],
      { met: true, summary: 'sre 1/1, total 2/2', missing: [] },
    ],
  ];
  for (const [name, quorum, approvers, expected] of cases) test(name, () => assert.deepEqual(rulesProgress(quorum, approvers, tokenGroups), expected));

  test('groups of unverified actors come from the given function', () => {
    const file: Record<string, string[]> = { sre: ['alice'] };
    const of = (a: Actor) => Object.keys(file).filter((g) => file[g]!.includes(a.name));
    assert.equal(rulesProgress({ minApprovals: 1, require: rules('1 of group:sre') }, [unverifiedActor('alice')], of).met, true);
  });

  test('the matching is maximum: brute force agrees on small random gates (seeded)', () => {
    const { next: random } = prng(SEED + 1);
    const groups = ['a', 'b', 'c'];
    for (let n = 0; n < 300; n++) {
      const require = groups.filter(() => random() < 0.7).map((group) => ({ count: 1 + Math.floor(random() * 3), group }));
      if (require.length === 0) continue;
      const people = Array.from({ length: Math.floor(random() * 6) }, (_, i) =>
        person(
          `p${i}`,
          groups.filter(() => random() < 0.4),
        ),
      );
      const met = rulesProgress({ minApprovals: 1, require }, people, tokenGroups).met;
      assert.equal(met, bruteForceMet(require, people), `seed ${SEED}, case ${n}: ${JSON.stringify({ require, people: people.map((p) => p.groups) })}`);
    }
  });
});

/** Whether some assignment of people (each to at most one rule) fills every rule: tries them all. */
function bruteForceMet(rules: ApprovalRule[], people: Actor[]): boolean {
  const left = rules.map((r) => r.count);
  const go = (i: number): boolean => {
    if (left.every((n) => n <= 0)) return true;
    if (i === people.length) return false;
    if (go(i + 1)) return true;
    for (let r = 0; r < rules.length; r++) {
      if (left[r]! > 0 && people[i]!.groups.includes(rules[r]!.group)) {
        left[r]! -= 1;
        const done = go(i + 1);
        left[r]! += 1;
        if (done) return true;
      }
    }
    return false;
  };
  return go(0);
}

describe('four-eyes: selfApprovalRefusal', () => {
  const alice = person('alice');
  const carol = person('carol');
  const FOUR = '(four-eyes; the pipeline can allow it with allowSelfApproval: true)';
  const cases: [string, Actor, Parameters<typeof selfApprovalRefusal>[1], string | null][] = [
    ['the starter may not approve', alice, { starter: alice, authors: [] }, `alice started this promotion and may not approve it ${FOUR}`],
    ['another person may', carol, { starter: alice, authors: [] }, null],
    ['allowSelfApproval lets the starter approve', alice, { starter: alice, authors: [], allowSelfApproval: true }, null],
    ['an unknown starter refuses nobody', alice, { starter: null, authors: [] }, null],
    [
      'an unverified starter is the verified person of that name',
      alice,
      { starter: unverifiedActor('alice'), authors: [] },
      `alice started this promotion and may not approve it ${FOUR}`,
    ],
    [
      'the same email from another issuer is the same person',
      alice,
      { starter: { ...alice, issuer: 'https://other.example.com', subject: 'x' }, authors: [] },
      `alice started this promotion and may not approve it ${FOUR}`,
    ],
    ['two verified people with one display name are two people', alice, { starter: { ...carol, name: 'alice' }, authors: [] }, null],
    [
      'a commit author (by email) may not approve',
      carol,
      { starter: alice, authors: ['dave@example.com', 'CAROL@example.com'] },
      `carol authored the release (commit author as CAROL@example.com) and may not approve it ${FOUR}`,
    ],
    ['a commit author by name', carol, { starter: null, authors: ['carol'] }, `carol authored the release (commit author) and may not approve it ${FOUR}`],
    [
      'a commit author written Name <email>',
      carol,
      { starter: null, authors: ['Carol C <carol@example.com>'] },
      `carol authored the release (commit author as Carol C <carol@example.com>) and may not approve it ${FOUR}`,
    ],
    ['allowSelfApproval lets an author approve', carol, { starter: null, authors: ['carol'], allowSelfApproval: true }, null],
    ['other authors refuse nobody', carol, { starter: null, authors: ['dave', ''] }, null],
  ];
  for (const [name, actor, release, expected] of cases) test(name, () => assert.equal(selfApprovalRefusal(actor, release), expected));

  test('samePerson: one key is one person whatever the display name', () => {
    assert.equal(samePerson(alice, { ...alice, name: 'Alice A.' }), true);
    assert.equal(samePerson(unverifiedActor('bob'), unverifiedActor('bob')), true);
    assert.equal(samePerson(unverifiedActor('bob'), alice), false);
  });
});

describe('overrides with the access block', () => {
  const access = Access.parse({ grants: [{ who: ['group:sre'], may: ['approve'], stages: ['production'] }] });
  const approval = Approval.parse({ approvers: ['alice'] });
  const stage = (over: Partial<Pick<StageSpec, 'approval' | 'overrides'>> = {}) =>
    ({ name: 'production', approval: null, strategy: { kind: 'direct' }, overrides: 'approvers', ...over }) as Pick<
      StageSpec,
      'name' | 'approval' | 'strategy' | 'overrides'
    >;
  test("the gate's approvers and the granted ones", () => {
    assert.deepEqual(overrideApprovers(stage({ approval }), access), ['alice', 'group:sre'].map(approverEntry));
  });
  test('a stage without approvals has no gate to bypass, granted approvers or not', () => {
    assert.equal(overrideApprovers(stage(), access), null);
    assert.equal(overrideApprovers(stage(), null), null);
  });
  test('overrides: anyone', () => assert.equal(overrideApprovers(stage({ approval, overrides: 'anyone' }), access), null));
  test('a refusal says what was refused and who may', () => {
    assert.equal(overrideRefusalFor(person('sam', ['sre']), stage({ approval }), access, tokenGroups, 'skip the remaining steps'), null);
    assert.equal(
      overrideRefusalFor(person('mallory'), stage({ approval }), access, tokenGroups, 'skip the remaining steps'),
      'mallory may not skip the remaining steps: only an approver of production may override (alice, group:sre; mallory is in no group)',
    );
  });
});

// ---- the parser under generated input ----

const SEED = FUZZ_SEED;
const CASES = Number(process.env.RAMP_FUZZ_CASES ?? 2000);

describe(`parseApprovalRules under generated input (seed ${SEED})`, () => {
  const { next: random, pick } = prng(SEED);
  const TOKENS = [
    '1',
    '2',
    '0',
    '100',
    '101',
    '007',
    '-1',
    '1.5',
    'of',
    'OF',
    'and',
    'AND',
    'or',
    ',',
    'group:',
    'group:sre',
    'group:product',
    'sre',
    'group:a.b',
    'group:-x',
    ' ',
    '  ',
    '\t',
    '\n',
    'é',
    '😀',
    '"',
    "'",
    '\\',
    'x'.repeat(200),
  ];
  const generated = (): string => {
    if (random() < 0.5) {
      // Near-valid: rules, mutated.
      const rules = Array.from(
        { length: 1 + Math.floor(random() * 4) },
        () => `${pick(['1', '2', '3', '0', '100', '101'])} of ${pick(['group:sre', 'group:product', 'group:x', 'sre'])}`,
      );
      let text = rules.join(pick([' and ', ' AND ', ' and', ', ', '  and  ']));
      if (random() < 0.5) {
        const at = Math.floor(random() * (text.length + 1));
        text = text.slice(0, at) + pick(TOKENS) + text.slice(at + Math.floor(random() * 3));
      }
      return text;
    }
    return Array.from({ length: Math.floor(random() * 8) }, () => pick(TOKENS)).join(pick(['', ' ']));
  };

  test(`${CASES} generated requires: rules or one clear error, never a throw; parsed rules format back to themselves`, () => {
    for (let n = 0; n < CASES; n++) {
      const text = generated();
      const where = `seed ${SEED}, case ${n}: ${JSON.stringify(text)}; reproduce with RAMP_FUZZ_SEED=${SEED} npx tsx scripts/test.ts --no-check test/unit/approval-rules.test.ts`;
      const result = parseApprovalRules(text);
      if (result.ok) {
        assert.ok(result.rules.length > 0, where);
        for (const rule of result.rules) assert.ok(Number.isInteger(rule.count) && rule.count >= 1 && rule.count <= 100 && rule.group !== '', where);
        assert.equal(new Set(result.rules.map((r) => r.group)).size, result.rules.length, where);
        assert.deepEqual(parseApprovalRules(formatApprovalRules(result.rules)), result, where);
      } else {
        assert.ok(result.error.length > 0 && result.error.length <= 400, `${where}: ${result.error}`);
        assert.match(result.error, /require/, where);
        assert.match(result.error, /\. [A-Z][^.]*/, `${where}: the error says what to write: ${result.error}`);
      }
    }
  });

  test('long input is parsed in bounded time and quoted short', () => {
    const long = `${'1 of group:sre and '.repeat(5000)}1 of group:x`;
    const result = parseApprovalRules(long);
    assert.ok(!result.ok && result.error.length < 200, 'too many rules is an error');
    const huge = parseApprovalRules(`1 of group:${'a'.repeat(100_000)} x`);
    assert.ok(!huge.ok && huge.error.length < 400);
  });
});
