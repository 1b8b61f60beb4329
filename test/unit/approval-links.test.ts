/**
 * Approval links' pure parts (server/links/): who may use a link, whether the release still
 * waits for what it names, the CSRF token and Origin check of the confirm page's form, and the
 * pages (escaped). Table tests; the routes end to end are test/e2e/approval-links.test.ts.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { approverRefusal, invalidLinkRefusal, movedOnRefusal, type ReleaseState } from '../../server/links/check.js';
import { linkCsrfKey, linkCsrfToken, linkCsrfValid, originRefusal } from '../../server/links/csrf.js';
import { renderConfirmPage } from '../../server/links/pages.js';
import type { ApprovalRecord } from '../../src/domain/approval.js';
import type { Actor } from '../../src/identity/actor.js';
import type { DecisionTarget } from '../../src/identity/decision.js';

const dave: Actor = { subject: 'dave', name: 'Dave Dunn', email: 'Dave@Example.test', groups: ['product'], issuer: 'https://idp.test', method: 'oidc' };
const target: DecisionTarget = {
  promotionId: 'web@1.2.0',
  pipeline: 'web',
  version: '1.2.0',
  stage: 'production',
  gate: 'gate',
  attempt: 1,
  commit: 'a'.repeat(40),
};

function gate(over: Partial<ApprovalRecord> = {}): ApprovalRecord {
  return {
    gate: 'gate',
    approvals: [],
    rejection: null,
    refused: [],
    eligible: [],
    minApprovals: 1,
    deadline: null,
    outcome: 'Pending',
    commit: 'a'.repeat(40),
    ...over,
  };
}

function state(over: { promotion?: Partial<ReleaseState['promotion']>; stage?: Partial<NonNullable<ReleaseState['activeStage']>> | null } = {}): ReleaseState {
  return {
    promotion: {
      promotionId: 'web@1.2.0',
      pipeline: 'web',
      version: '1.2.0',
      phase: 'Running',
      finishedAt: null,
      ...over.promotion,
    },
    activeStage: over.stage === null ? null : { stage: 'production', attempt: 1, phase: 'AwaitingApproval', approvals: [gate()], ...over.stage },
  };
}

describe('who may use a link', () => {
  for (const [approver, ok] of [
    ['dave', true],
    ['dave@example.test', true],
    ['DAVE@EXAMPLE.TEST', true],
    ['Dave Dunn', true],
    ['carol', false],
    ['carol@example.test', false],
    ['', false],
  ] as const) {
    test(`a link for ${JSON.stringify(approver)} ${ok ? 'is' : 'is not'} Dave's`, () => {
      const refusal = approverRefusal({ approver }, dave);
      if (ok) assert.equal(refusal, null);
      else {
        assert.equal(refusal?.status, 403);
        assert.equal(refusal?.kind, 'wrong-person');
        assert.match(refusal.message, /you are signed in as Dave Dunn \(Dave@Example\.test\)/);
      }
    });
  }
});

describe('whether the release still waits for what the link names', () => {
  const table: [string, ReleaseState, RegExp | null][] = [
    ['it waits at that gate, commit and attempt', state(), null],
    [
      'the promotion finished',
      state({ promotion: { finishedAt: '2026-11-30T00:00:00Z', phase: 'Succeeded' }, stage: null }),
      /no longer running a stage \(it is Succeeded\)/,
    ],
    ['another stage runs', state({ stage: { stage: 'staging' } }), /is at stage staging now, not production/],
    ['another attempt', state({ stage: { attempt: 2 } }), /on attempt 2 now; the link was for attempt 1/],
    [
      'the gate was decided',
      state({ stage: { phase: 'Progressing', approvals: [gate({ outcome: 'Approved' })] } }),
      /not waiting for an approval now \(it is Progressing\)/,
    ],
    [
      'another gate waits',
      state({ stage: { approvals: [gate({ outcome: 'Approved' }), gate({ gate: 'step 2' })] } }),
      /waits at its step 2 approval now; the link was for gate/,
    ],
    ['another commit', state({ stage: { approvals: [gate({ commit: 'b'.repeat(40) })] } }), /bound to commit bbbbbbbbbbbb now; the link was for aaaaaaaaaaaa/],
    ['another release', state({ promotion: { version: '9.9.9' } }), /the link is for web 1\.2\.0, but web@1\.2\.0 is web 9\.9\.9/],
  ];
  for (const [what, s, expected] of table) {
    test(what, () => {
      const refusal = movedOnRefusal(target, s);
      if (expected === null) assert.equal(refusal, null);
      else {
        assert.equal(refusal?.status, 409);
        assert.equal(refusal?.kind, 'moved-on');
        assert.match(refusal.message, expected);
      }
    });
  }

  test('a link that did not verify: expired is 410, anything else 400', () => {
    assert.equal(invalidLinkRefusal('the approval link has expired; ask for a new one').status, 410);
    assert.equal(invalidLinkRefusal('the approval link’s signature does not verify').status, 400);
    assert.equal(invalidLinkRefusal('the approval link is malformed').kind, 'invalid');
  });
});

describe("the confirm page's form", () => {
  const key = linkCsrfKey({ session: new Uint8Array(32).fill(7), login: new Uint8Array(32).fill(9) });
  const other = linkCsrfKey({ session: new Uint8Array(32).fill(8), login: new Uint8Array(32).fill(9) });

  test('the CSRF token is bound to the session, the link and the key', () => {
    const token = linkCsrfToken(key, 'session-a', 'link-1');
    assert.ok(linkCsrfValid(key, 'session-a', 'link-1', token));
    for (const [what, valid] of [
      ['another session', linkCsrfValid(key, 'session-b', 'link-1', token)],
      ['another link', linkCsrfValid(key, 'session-a', 'link-2', token)],
      ['another key', linkCsrfValid(other, 'session-a', 'link-1', token)],
      ['no token', linkCsrfValid(key, 'session-a', 'link-1', undefined)],
      ['an empty token', linkCsrfValid(key, 'session-a', 'link-1', '')],
      ['a truncated token', linkCsrfValid(key, 'session-a', 'link-1', token.slice(0, -1))],
      ['a huge token', linkCsrfValid(key, 'session-a', 'link-1', token.repeat(10))],
    ] as const)
      assert.equal(valid, false, what);
  });

  test('the Origin (else the Referer) must be the server', () => {
    const origin = 'https://ramp.example.com';
    assert.equal(originRefusal(origin, { origin }), null);
    assert.equal(originRefusal(origin, { referer: `${origin}/approve/x` }), null);
    assert.equal(originRefusal(origin, { origin: 'null', referer: `${origin}/approve/x` }), null);
    assert.match(originRefusal(origin, { origin: 'https://evil.example' }) ?? '', /came from https:\/\/evil\.example, not from https:\/\/ramp\.example\.com/);
    assert.match(originRefusal(origin, { referer: 'https://evil.example/page' }) ?? '', /came from https:\/\/evil\.example/);
    assert.match(originRefusal(origin, { referer: 'not a url' }) ?? '', /no origin this server can read/);
    assert.match(originRefusal(origin, {}) ?? '', /names no origin/);
  });

  test('the confirm page escapes what the link says and carries the token', () => {
    const evil = '<script>alert(1)</script>';
    const html = renderConfirmPage({
      claims: {
        linkId: 'l1',
        approver: `${evil}@x`,
        target: { ...target, version: evil },
        issuedAt: '2026-11-30T10:00:00.000Z',
        expiresAt: '2026-11-30T11:00:00.000Z',
      },
      viewer: { ...dave, name: evil },
      action: '/approve/abc',
      csrf: 'tok"en',
    });
    assert.ok(!html.includes(evil), 'the page holds raw markup from the link');
    assert.match(html, /&lt;script&gt;/);
    assert.match(html, /<form method="post" action="\/approve\/abc"/);
    assert.match(html, /name="csrf" value="tok&quot;en"/);
    assert.match(html, /value="approve">Approve<\/button>/);
    assert.match(html, /value="reject">Reject<\/button>/);
    assert.match(html, /2026-11-30 11:00:00 UTC/);
  });
});
