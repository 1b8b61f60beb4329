/**
 * The audit trail's hash chain (src/audit): canonical JSON, chaining (idempotent by id), and
 * verification of a trail table-tested against every kind of tampering: one field changed, one
 * line removed, two lines swapped, a line inserted, a wrong prev, a garbage line; and the
 * append-only check of the branch's history.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { canonicalJson } from '../../src/audit/canonical.js';
import { appendOnlyViolation, auditLines, chainEntries, describeVerification, formatAuditLine, recordHash, verifyTrail } from '../../src/audit/chain.js';
import { auditActor, GENESIS_HASH, isDecisionKind, type AuditEntry, type AuditRecord } from '../../src/audit/record.js';
import { parseSince } from '../../src/audit/since.js';
import { unverifiedActor, type Actor } from '../../src/identity/actor.js';

const alice: Actor = { subject: 'u-1', name: 'Alice', email: 'alice@example.test', groups: ['sre'], issuer: 'https://idp.example.test', method: 'oidc' };

function entry(n: number, extra: Partial<AuditEntry> = {}): AuditEntry {
  return {
    id: `promotion-web-1/run-a/${n}`,
    at: `2026-11-30T10:00:0${n % 10}.000Z`,
    kind: n % 2 === 0 ? 'approved' : 'started',
    message: `decision ${n}`,
    actor: auditActor(n % 2 === 0 ? alice : 'bob'),
    channel: n % 2 === 0 ? 'web' : 'cli',
    bound: { promotionId: 'web-1', pipeline: 'web', stage: 'staging', attempt: 1, gate: 'gate', commit: null },
    workflowId: 'promotion-web-1',
    ...extra,
  };
}

/** A trail of `count` records as the file holds it. */
function trail(count: number): string {
  let text = '';
  for (let i = 1; i <= count; i++)
    text += chainEntries(text, [entry(i)])
      .map((r) => `${formatAuditLine(r)}\n`)
      .join('');
  return text;
}

const lines = (text: string) => auditLines(text);
const join = (ls: string[]) => ls.map((l) => `${l}\n`).join('');
const record = (line: string) => JSON.parse(line) as AuditRecord;

describe('canonicalJson', () => {
  const cases: [string, unknown, string][] = [
    ['sorted keys, nested', { b: 1, a: { d: [1, 'x'], c: null } }, '{"a":{"c":null,"d":[1,"x"]},"b":1}'],
    ['undefined members left out', { a: undefined, b: true }, '{"b":true}'],
    ['strings escaped as JSON', { 'k"': 'line\nbreak ü' }, '{"k\\"":"line\\nbreak ü"}'],
    ['empty', {}, '{}'],
  ];
  for (const [name, value, want] of cases) test(name, () => assert.equal(canonicalJson(value), want));
  test('key order does not matter', () => assert.equal(canonicalJson({ x: 1, y: 2 }), canonicalJson({ y: 2, x: 1 })));
  test('no NaN', () => assert.throws(() => canonicalJson({ n: Number.NaN }), /canonical JSON has no NaN/));
});

describe('chainEntries', () => {
  test('the first record starts from the genesis hash, each next from the one before', () => {
    const ls = lines(trail(3)).map(record);
    assert.deepEqual(
      ls.map((r) => r.seq),
      [1, 2, 3],
    );
    assert.equal(ls[0]!.prev, GENESIS_HASH);
    assert.equal(ls[1]!.prev, ls[0]!.hash);
    assert.equal(ls[2]!.prev, ls[1]!.hash);
    for (const r of ls) assert.equal(recordHash(r), r.hash);
  });
  test('idempotent by id: an entry already on the trail is skipped', () => {
    const text = trail(2);
    assert.deepEqual(chainEntries(text, [entry(1), entry(2)]), []);
    const added = chainEntries(text, [entry(2), entry(3), entry(3)]);
    assert.deepEqual(
      added.map((r) => [r.id, r.seq]),
      [[entry(3).id, 3]],
    );
  });
  test('verified and unverified actors', () => {
    const [first, second] = lines(trail(2)).map(record);
    assert.deepEqual(first!.actor, { name: 'bob', method: 'local-unverified' });
    assert.deepEqual(second!.actor, alice);
    assert.deepEqual(auditActor(unverifiedActor('carol')), { name: 'carol', method: 'local-unverified' });
    assert.equal(auditActor(undefined), null);
  });
});

describe('verifyTrail', () => {
  const good = trail(5);
  const ls = lines(good);
  const changed = (i: number, edit: (r: AuditRecord) => void) => {
    const copy = [...ls];
    const r = record(copy[i]!);
    edit(r);
    copy[i] = JSON.stringify(r);
    return join(copy);
  };
  const cases: [string, string, RegExp][] = [
    ['intact', good, /^intact: 5 records, head [0-9a-f]{64}$/],
    ['empty', '', new RegExp(`^intact: 0 records, head ${GENESIS_HASH}$`)],
    [
      'one field changed',
      changed(2, (r) => (r.message = 'nothing to see')),
      /^broken at record 3 \(promotion-web-1\/run-a\/3\): hash does not match its content$/,
    ],
    [
      'the actor changed',
      changed(1, (r) => (r.actor = { name: 'mallory', method: 'local-unverified' })),
      /^broken at record 2 .*hash does not match its content$/,
    ],
    [
      'one line removed',
      join([...ls.slice(0, 2), ...ls.slice(3)]),
      /^broken at record 3 \(promotion-web-1\/run-a\/4\): prev does not match the hash of record 2/,
    ],
    ['the first line removed', join(ls.slice(1)), /^broken at record 1 .*prev is not the genesis hash/],
    ['two lines swapped', join([ls[0]!, ls[2]!, ls[1]!, ls[3]!, ls[4]!]), /^broken at record 2 \(promotion-web-1\/run-a\/3\): prev does not match/],
    ['a line inserted', join([...ls.slice(0, 2), ls[1]!, ...ls.slice(2)]), /^broken at record 3 .*prev does not match/],
    [
      'prev mismatch, rehashed',
      (() => {
        const copy = [...ls];
        const { hash: _h, ...r } = record(copy[3]!);
        void _h;
        const forged = { ...r, prev: 'f'.repeat(64) };
        copy[3] = JSON.stringify({ ...forged, hash: recordHash(forged) });
        return join(copy);
      })(),
      /^broken at record 4 .*prev does not match the hash of record 3/,
    ],
    ['a garbage line', join([...ls.slice(0, 4), 'not json at all', ls[4]!]), /^broken at record 5: it is not a record: it is not JSON/],
    ['a JSON line that is no record', join([ls[0]!, '{"id":1}']), /^broken at record 2: it is not a record: its id is not a string$/],
    [
      'seq rewritten, rehashed',
      (() => {
        const copy = [...ls];
        const { hash: _h, ...r } = record(copy[0]!);
        void _h;
        const forged = { ...r, seq: 7 };
        copy[0] = JSON.stringify({ ...forged, hash: recordHash(forged) });
        return join(copy);
      })(),
      /^broken at record 1 .*its seq is 7, but it is record 1/,
    ],
  ];
  for (const [name, text, want] of cases) test(name, () => assert.match(describeVerification(verifyTrail(text)), want));
  test('key order of a line does not matter (hash over canonical JSON)', () => {
    const copy = [...ls];
    const r = record(copy[0]!);
    copy[0] = JSON.stringify(Object.fromEntries(Object.entries(r).reverse()));
    assert.equal(verifyTrail(join(copy)).intact, true);
  });
});

describe('appendOnlyViolation', () => {
  const v1 = trail(2);
  const v2 = trail(3);
  const l2 = lines(v2);
  test('appending only', () =>
    assert.equal(
      appendOnlyViolation([
        { sha: 'a'.repeat(40), text: '' },
        { sha: 'b'.repeat(40), text: v1 },
        { sha: 'c'.repeat(40), text: v2 },
      ]),
      null,
    ));
  test('a later commit rewrote a record (even with the chain recomputed)', () => {
    const rewritten = join([l2[0]!, l2[1]!.replace('decision 2', 'decision two'), l2[2]!]);
    const found = appendOnlyViolation([
      { sha: 'a'.repeat(40), text: v2 },
      { sha: 'b'.repeat(40), text: rewritten },
    ]);
    assert.equal(found && describeVerification(found), 'broken at record 2 (promotion-web-1/run-a/2): commit bbbbbbbbbbbb changed it instead of appending');
  });
  test('a later commit dropped the last record', () => {
    const found = appendOnlyViolation([
      { sha: 'a'.repeat(40), text: v2 },
      { sha: 'b'.repeat(40), text: v1 },
    ]);
    assert.equal(found && describeVerification(found), 'broken at record 3 (promotion-web-1/run-a/3): commit bbbbbbbbbbbb removed it instead of appending');
  });
});

describe('isDecisionKind', () => {
  const cases: [string, boolean][] = [
    ['approved', true],
    ['approve-refused', true],
    ['promote-refused', true],
    ['override', true],
    ['abort-requested', true],
    ['policy-decision', true],
    ['window-override', true],
    ['commit', false],
    ['live', false],
    ['analysis', false],
    ['stage-started', false],
  ];
  for (const [kind, want] of cases) test(kind, () => assert.equal(isDecisionKind(kind), want));
});

describe('parseSince', () => {
  const now = new Date('2026-11-30T12:00:00.000Z');
  const cases: [string, string][] = [
    ['7d', '2026-11-23T12:00:00.000Z'],
    ['12h', '2026-11-30T00:00:00.000Z'],
    ['30m', '2026-11-30T11:30:00.000Z'],
    ['2026-11-01', '2026-11-01T00:00:00.000Z'],
    ['2026-11-30T09:00:00Z', '2026-11-30T09:00:00.000Z'],
  ];
  for (const [text, want] of cases) test(text, () => assert.equal(parseSince(text, now).toISOString(), want));
  for (const bad of ['7 weeks', 'yesterday', '', '2026-13-45'])
    test(`refused: ${JSON.stringify(bad)}`, () => assert.throws(() => parseSince(bad, now), /neither a duration/));
});
