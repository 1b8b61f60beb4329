/**
 * Generated hostile lines against the audit trail's reader: mutated genuine records (a byte
 * flipped, cut short, fields dropped or retyped, junk) through parseAuditLine and verifyTrail.
 * Every answer is an answer: never an exception; a line that parses has the record's shape; and
 * a trail with a mutated line is never reported intact unless the line still means the same.
 *
 * Seeded: RAMP_FUZZ_SEED=<n> picks another set; RAMP_FUZZ_CASES=<n> scales it.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { canonicalJson } from '../../src/audit/canonical.js';
import { auditLines, chainEntries, formatAuditLine, parseAuditLine, verifyTrail } from '../../src/audit/chain.js';
import { auditActor, type AuditEntry } from '../../src/audit/record.js';
import { FUZZ_SEED, prng, type Random } from '../support/random.js';

const SEED = FUZZ_SEED;
const CASES = Number(process.env.RAMP_FUZZ_CASES ?? 400);
const REPRODUCE = `seed ${SEED}; reproduce with RAMP_FUZZ_SEED=${SEED} npx tsx scripts/test.ts --no-check test/unit/audit-fuzz.test.ts`;

const entries: AuditEntry[] = [1, 2, 3].map((n) => ({
  id: `wf/run/${n}`,
  at: `2026-11-30T10:00:0${n}.000Z`,
  kind: 'approved',
  message: `alice approved (${n}/3) ✓`,
  actor: auditActor(n === 2 ? 'bob' : { subject: 's', name: 'Alice', email: null, groups: ['sre'], issuer: 'https://idp', method: 'oidc' }),
  channel: 'web',
  decisionId: `d-${n}`,
  bound: { promotionId: 'p', pipeline: 'web', stage: 'prod', attempt: 1, gate: 'gate', commit: 'a'.repeat(40) },
  workflowId: 'wf',
}));
const genuine = auditLines(
  chainEntries('', entries)
    .map((r) => `${formatAuditLine(r)}\n`)
    .join(''),
);

function mutate(r: Random, line: string): string {
  switch (r.int(6)) {
    case 0: {
      const i = r.int(line.length);
      return line.slice(0, i) + String.fromCharCode(32 + r.int(95)) + line.slice(i + 1);
    }
    case 1:
      return line.slice(0, r.int(line.length));
    case 2: {
      const value = JSON.parse(line) as Record<string, unknown>;
      delete value[r.pick(Object.keys(value))];
      return JSON.stringify(value);
    }
    case 3: {
      const value = JSON.parse(line) as Record<string, unknown>;
      value[r.pick(Object.keys(value))] = r.pick([null, 0, -1, 1.5, '', [], {}, true, 'x'.repeat(70)]);
      return JSON.stringify(value);
    }
    case 4:
      return r.pick(['', '[]', 'null', '"str"', '{}', '{"seq":1}', '\u0000', '{'.repeat(200), '123', 'true']);
    default:
      return Array.from({ length: r.int(80) }, () => String.fromCharCode(r.int(0x3000))).join('');
  }
}

describe(`audit line fuzz (${REPRODUCE})`, () => {
  test('parseAuditLine answers every line; a parsed line has the shape', () => {
    const r = prng(SEED);
    for (let i = 0; i < CASES; i++) {
      const line = mutate(r, r.pick(genuine));
      const parsed = parseAuditLine(line);
      if (parsed.ok) {
        assert.equal(typeof parsed.record.id, 'string', line);
        assert.equal(Number.isInteger(parsed.record.seq), true, line);
        assert.match(parsed.record.hash, /^[0-9a-f]{64}$/, line);
      } else {
        assert.equal(typeof parsed.problem, 'string');
      }
    }
  });
  test('a trail with a mutated line is intact only when the line means the same', () => {
    const r = prng(SEED + 1);
    for (let i = 0; i < CASES; i++) {
      const at = r.int(genuine.length);
      const line = mutate(r, genuine[at]!);
      const trail = genuine.map((l, n) => `${n === at ? line : l}\n`).join('');
      const verdict = verifyTrail(trail);
      if (verdict.intact) {
        // Only a change that does not change the record's content (e.g. an escape written another way).
        const parsed = parseAuditLine(line);
        assert.ok(parsed.ok, `intact with an unreadable line ${JSON.stringify(line)}`);
        assert.equal(canonicalJson(parsed.record), genuine[at], `intact although record ${at + 1} changed: ${line}`);
      } else {
        assert.ok(verdict.at >= 1 && verdict.at <= genuine.length, JSON.stringify(verdict));
      }
    }
  });
});
