/** `ramp audit`'s own parts: the table, the verification lines, and the usage errors it gives before any connection. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { renderAudit, renderVerifications } from '../../cli/commands/audit.js';
import { chainEntries } from '../../src/audit/chain.js';
import { auditActor } from '../../src/audit/record.js';
import { ramp } from '../cli/helpers.js';

const records = chainEntries('', [
  {
    id: 'wf/run/1',
    at: '2026-11-30T10:00:00.000Z',
    kind: 'promote-requested',
    message: 'rm asked to promote web 1.1.0',
    actor: auditActor('rm'),
    channel: 'cli',
    bound: { promotionId: 'web@1.1.0', pipeline: 'web', stage: null, attempt: null, gate: null, commit: null },
    workflowId: 'web@1.1.0',
  },
  {
    id: 'wf/run/2',
    at: '2026-11-30T10:05:00.000Z',
    kind: 'approved',
    message: 'bob approved the gate approval (1/1)',
    actor: auditActor({ subject: 's', name: 'bob', email: null, groups: [], issuer: 'https://id', method: 'oidc' }),
    channel: 'slack',
    bound: { promotionId: 'web@1.1.0', pipeline: 'web', stage: 'production', attempt: 1, gate: 'gate', commit: 'a'.repeat(40) },
    workflowId: 'web/production',
  },
]);

describe('ramp audit rendering', () => {
  test('a table: time, decision, who via where, what it was bound to, what', () => {
    assert.equal(
      renderAudit(records),
      [
        'TIME (UTC)           DECISION           BY                       ON                   WHAT',
        '2026-11-30 10:00:00  promote-requested  rm (unverified) via cli  web                  rm asked to promote web 1.1.0',
        '2026-11-30 10:05:00  approved           bob via slack            web/production/gate  bob approved the gate approval (1/1)',
        '',
      ].join('\n'),
    );
    assert.equal(renderAudit([]), 'no decisions on the audit trail (for this selection)\n');
  });
  test('one line per trail', () => {
    assert.equal(
      renderVerifications([
        { trail: 'file:///g.git (branch ramp/audit)', pipelines: ['web', 'api'], verification: { intact: true, records: 2, head: 'f'.repeat(64) } },
        {
          trail: 'https://git/o.git (branch ramp/audit)',
          pipelines: ['ops'],
          verification: { intact: false, records: 9, at: 4, id: 'x/y/1', problem: 'hash does not match its content' },
        },
      ]),
      `file:///g.git (branch ramp/audit) (web, api): intact: 2 records, head ${'f'.repeat(64)}\nhttps://git/o.git (branch ramp/audit) (ops): broken at record 4 (x/y/1): hash does not match its content\n`,
    );
  });
});

describe('ramp audit usage errors (2), before any connection', () => {
  const env = { TEMPORAL_ADDRESS: '127.0.0.1:1', RAMP_CONNECT_TIMEOUT_MS: '200' };
  const cases: [string[], RegExp][] = [
    [['audit', '--since', 'yesterday'], /--since "yesterday" is neither a duration/],
    [['audit', 'check'], /unexpected argument check/],
    [['audit', 'verify', '--since', '7d'], /--since does not apply/],
    [['audit', '--pipeline', ' '], /--pipeline is empty/],
  ];
  for (const [args, want] of cases) {
    test(args.join(' '), async () => {
      const r = await ramp(args, env);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, want);
    });
  }
});
