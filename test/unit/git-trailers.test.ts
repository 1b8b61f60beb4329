/** ramp's commit messages: what is written is what is read back, and Git reads it the same way. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FUZZ_SEED, prng } from '../support/random.js';
import { formatCommitMessage, formatRevertMessage, oneLine, parseRampMessage, parseTrailers } from '../../src/providers/git/trailers.js';

const trailers = { promotion: 'web-1.1.0-7f3a', stage: 'staging', step: '1/0/setWeight-10', version: '1.1.0' };

describe('formatCommitMessage', () => {
  const cases: [string, Parameters<typeof formatCommitMessage>, string][] = [
    [
      'subject, blank line, trailers',
      ['web/staging: canary 1.1.0 at 10%', trailers],
      'web/staging: canary 1.1.0 at 10%\n\nRamp-Promotion: web-1.1.0-7f3a\nRamp-Stage: staging\nRamp-Step: 1/0/setWeight-10\nRamp-Version: 1.1.0\n',
    ],
    [
      'approvers comma-separated',
      ['s', { ...trailers, approvedBy: ['alice', 'group:release-managers'] }],
      's\n\nRamp-Promotion: web-1.1.0-7f3a\nRamp-Stage: staging\nRamp-Step: 1/0/setWeight-10\nRamp-Version: 1.1.0\nRamp-Approved-By: alice, group:release-managers\n',
    ],
    [
      'who caused it, last',
      ['s', { ...trailers, approvedBy: ['carol'], requestedBy: 'bob\nRamp-Stage: x' }],
      's\n\nRamp-Promotion: web-1.1.0-7f3a\nRamp-Stage: staging\nRamp-Step: 1/0/setWeight-10\nRamp-Version: 1.1.0\nRamp-Approved-By: carol\nRamp-Requested-By: bob Ramp-Stage: x\n',
    ],
    [
      'no approvers, no trailer',
      ['s', { ...trailers, approvedBy: [] }],
      's\n\nRamp-Promotion: web-1.1.0-7f3a\nRamp-Stage: staging\nRamp-Step: 1/0/setWeight-10\nRamp-Version: 1.1.0\n',
    ],
    [
      'the delivery trailers, after who caused it',
      [
        's',
        { ...trailers, requestedBy: 'rm', source: { commit: 'abc123', time: '2026-11-01T10:00:00Z' }, fixes: '1.0.9', detectedAt: '2026-11-02T08:00:00.000Z' },
      ],
      's\n\nRamp-Promotion: web-1.1.0-7f3a\nRamp-Stage: staging\nRamp-Step: 1/0/setWeight-10\nRamp-Version: 1.1.0\nRamp-Requested-By: rm\nRamp-Source-Commit: abc123\nRamp-Source-Time: 2026-11-01T10:00:00Z\nRamp-Fixes: 1.0.9\nRamp-Detected-At: 2026-11-02T08:00:00.000Z\n',
    ],
    [
      'a source time without its commit, and empty values written as none',
      ['s', { ...trailers, source: { time: '2026-11-01T10:00:00Z', commit: ' ' }, fixes: '', detectedAt: '\n' }],
      's\n\nRamp-Promotion: web-1.1.0-7f3a\nRamp-Stage: staging\nRamp-Step: 1/0/setWeight-10\nRamp-Version: 1.1.0\nRamp-Source-Time: 2026-11-01T10:00:00Z\n',
    ],
    [
      'newlines in subject and values stay on one line',
      ['two\nlines', { ...trailers, version: '1.1.0\nRamp-Stage: production' }],
      'two lines\n\nRamp-Promotion: web-1.1.0-7f3a\nRamp-Stage: staging\nRamp-Step: 1/0/setWeight-10\nRamp-Version: 1.1.0 Ramp-Stage: production\n',
    ],
  ];
  for (const [name, args, expected] of cases) test(name, () => assert.equal(formatCommitMessage(...args), expected));
});

test("formatRevertMessage: Git's revert lines, then ramp's trailers with the reason", () => {
  const sha = 'a'.repeat(40);
  assert.equal(
    formatRevertMessage({
      revertedSha: sha,
      revertedSubject: 'web/staging: weights 50/50',
      promotion: 'p',
      stage: 'staging',
      step: '1/rollback',
      version: '1.1.0',
      reason: 'analysis failed:\nerror rate',
    }),
    `Revert "web/staging: weights 50/50"\n\nThis reverts commit ${sha}.\n\nRamp-Promotion: p\nRamp-Stage: staging\nRamp-Step: 1/rollback\nRamp-Version: 1.1.0\nRamp-Rollback: analysis failed: error rate\n`,
  );
});

test('formatRevertMessage: when the failure was detected, last', () => {
  const message = formatRevertMessage({
    revertedSha: 'b'.repeat(40),
    revertedSubject: 's',
    promotion: 'p',
    stage: 'production',
    step: '1/rollback',
    version: '1.1.0',
    reason: 'analysis failed',
    requestedBy: 'alice',
    detectedAt: '2026-11-02T08:00:00.000Z',
  });
  assert.ok(message.endsWith('Ramp-Rollback: analysis failed\nRamp-Requested-By: alice\nRamp-Detected-At: 2026-11-02T08:00:00.000Z\n'), message);
  assert.equal(parseRampMessage(message).detectedAt, '2026-11-02T08:00:00.000Z');
});

describe('parseTrailers', () => {
  const cases: [string, string, Record<string, string[]>][] = [
    ['only a subject: none', 'Ramp-Stage: staging', {}],
    ['last paragraph only', 'subject\n\nRamp-Stage: body\n\nRamp-Stage: staging\n', { 'ramp-stage': ['staging'] }],
    ['keys are case-insensitive, values trimmed', 'subject\n\nramp-STAGE:   staging  \n', { 'ramp-stage': ['staging'] }],
    ['repeated keys keep every value', 'subject\n\nRamp-Approved-By: alice\nRamp-Approved-By: bob\n', { 'ramp-approved-by': ['alice', 'bob'] }],
    ['indented lines continue a value', 'subject\n\nRamp-Rollback: error rate\n  above 5%\n', { 'ramp-rollback': ['error rate above 5%'] }],
    ['CRLF', 'subject\r\n\r\nRamp-Stage: staging\r\n', { 'ramp-stage': ['staging'] }],
    ['prose is skipped', 'subject\n\nsee https://x: done\nRamp-Stage: staging', { 'ramp-stage': ['staging'] }],
  ];
  for (const [name, message, expected] of cases) {
    test(name, () => assert.deepEqual(Object.fromEntries(parseTrailers(message)), expected));
  }
});

describe('parseRampMessage', () => {
  test('reads back what formatCommitMessage wrote', () => {
    const parsed = parseRampMessage(formatCommitMessage('web/staging: canary', { ...trailers, approvedBy: ['alice', 'bob'], requestedBy: 'rm' }));
    assert.deepEqual(parsed, {
      subject: 'web/staging: canary',
      promotion: 'web-1.1.0-7f3a',
      stage: 'staging',
      step: '1/0/setWeight-10',
      version: '1.1.0',
      approvedBy: ['alice', 'bob'],
      requestedBy: 'rm',
      rollbackReason: null,
      reverts: null,
      sourceCommit: null,
      sourceTime: null,
      fixes: null,
      detectedAt: null,
    });
  });

  test('reads back what formatRevertMessage wrote', () => {
    const sha = '0123456789abcdef0123456789abcdef01234567';
    const parsed = parseRampMessage(
      formatRevertMessage({
        revertedSha: sha,
        revertedSubject: 's',
        promotion: 'p',
        stage: 'st',
        step: '1/rollback',
        version: 'v',
        reason: 'aborted by alice',
        requestedBy: 'alice',
      }),
    );
    assert.equal(parsed.requestedBy, 'alice');
    assert.equal(parsed.subject, 'Revert "s"');
    assert.equal(parsed.reverts, sha);
    assert.equal(parsed.rollbackReason, 'aborted by alice');
    assert.equal(parsed.step, '1/rollback');
  });

  test('reads back the delivery trailers', () => {
    const parsed = parseRampMessage(
      formatCommitMessage('s', {
        ...trailers,
        source: { commit: 'abc123', time: '2026-11-01T10:00:00+02:00' },
        fixes: '1.0.9',
        detectedAt: '2026-11-02T08:00:00Z',
      }),
    );
    assert.deepEqual(
      { sourceCommit: parsed.sourceCommit, sourceTime: parsed.sourceTime, fixes: parsed.fixes, detectedAt: parsed.detectedAt },
      { sourceCommit: 'abc123', sourceTime: '2026-11-01T10:00:00+02:00', fixes: '1.0.9', detectedAt: '2026-11-02T08:00:00Z' },
    );
  });

  test('a commit without trailers has no ramp fields', () => {
    assert.deepEqual(parseRampMessage('Bump replicas by hand\n'), {
      subject: 'Bump replicas by hand',
      promotion: null,
      stage: null,
      step: null,
      version: null,
      approvedBy: [],
      requestedBy: null,
      rollbackReason: null,
      reverts: null,
      sourceCommit: null,
      sourceTime: null,
      fixes: null,
      detectedAt: null,
    });
  });

  test('a plain git revert is recognised without ramp trailers', () => {
    const parsed = parseRampMessage('Revert "x"\n\nThis reverts commit 0123456789abcdef0123456789abcdef01234567.\n');
    assert.equal(parsed.reverts, '0123456789abcdef0123456789abcdef01234567');
    assert.equal(parsed.rollbackReason, null);
  });

  test('a multi-line subject paragraph reads as one line, like %s', () => assert.equal(parseRampMessage('a\nb\n\nRamp-Stage: s').subject, 'a b'));
});

test('fuzz: whatever the values, formatCommitMessage and parseRampMessage agree (seed ' + FUZZ_SEED + ')', () => {
  const random = prng(FUZZ_SEED);
  const alphabet = ['a', 'Z', '9', ' ', '\n', '\t', ':', ',', '-', '\r\n', 'Ramp-Stage: x', 'This reverts commit 0123456.', '\n\n', 'é', ''];
  const text = () => Array.from({ length: random.int(12) }, () => random.pick(alphabet)).join('');
  const maybe = () => (random.chance(0.5) ? text() : undefined);
  for (let i = 0; i < 500; i++) {
    const written = {
      promotion: text() || 'p',
      stage: text() || 's',
      step: text() || '1/promote',
      version: text(),
      source: { commit: maybe(), time: maybe() },
      fixes: maybe(),
      detectedAt: maybe(),
    };
    const clean = (value: string | undefined) => (value === undefined || oneLine(value) === '' ? null : oneLine(value));
    const parsed = parseRampMessage(formatCommitMessage(`subject ${text()}`, written));
    const context = JSON.stringify(written);
    assert.equal(parsed.promotion, oneLine(written.promotion), context);
    assert.equal(parsed.stage, oneLine(written.stage), context);
    assert.equal(parsed.version, written.version === '' ? null : oneLine(written.version), context);
    assert.equal(parsed.sourceCommit, clean(written.source.commit), context);
    assert.equal(parsed.sourceTime, clean(written.source.time), context);
    assert.equal(parsed.fixes, clean(written.fixes), context);
    assert.equal(parsed.detectedAt, clean(written.detectedAt), context);
  }
});

test('oneLine', () => assert.equal(oneLine('  a\n\tb  c \r\n'), 'a b c'));
