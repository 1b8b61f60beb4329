/** readDelivery: git log entries as DORA reads them — what ramp wrote, read back, plus people's reverts. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readDelivery } from '../../src/dora/read-delivery.js';
import { parseLog } from '../../src/providers/git/git-log.js';
import { formatCommitMessage, formatRevertMessage } from '../../src/providers/git/trailers.js';

const FIELD = '\x1f';
const RECORD = '\x1e';
const a = 'a'.repeat(40);
const b = 'b'.repeat(40);
const c = 'c'.repeat(40);
const d = 'd'.repeat(40);

test('ramp commits, ramp reverts and human reverts are kept with their trailers; other commits are dropped', () => {
  const log = [
    [d, '2026-11-02T12:00:00+00:00', `Revert "web/production: promote 1.1.0 to stable"\n\nThis reverts commit ${a}.\n`],
    [c, '2026-11-02T11:00:00+00:00', 'Bump replicas by hand\n'],
    [
      b,
      '2026-11-02T10:00:00+00:00',
      formatRevertMessage({
        revertedSha: a,
        revertedSubject: 's',
        promotion: 'web@1.1.0',
        stage: 'production',
        step: '1/rollback',
        version: '1.1.0',
        reason: 'analysis failed',
        detectedAt: '2026-11-02T09:58:00Z',
      }),
    ],
    [
      a,
      '2026-11-02T09:00:00+00:00',
      formatCommitMessage('web/production: promote 1.1.0 to stable', {
        promotion: 'web@1.1.0',
        stage: 'production',
        step: '1/promote',
        version: '1.1.0',
        source: { commit: 'f00', time: '2026-11-01T08:00:00Z' },
        fixes: '1.0.9',
      }),
    ],
  ]
    .map((fields) => fields.join(FIELD) + RECORD)
    .join('\n');
  assert.deepEqual(readDelivery(parseLog(log)), [
    {
      sha: d,
      committedAt: '2026-11-02T12:00:00+00:00',
      promotion: '',
      stage: '',
      step: '',
      version: null,
      revertOf: a,
      source: null,
      fixes: null,
      detectedAt: null,
    },
    {
      sha: b,
      committedAt: '2026-11-02T10:00:00+00:00',
      promotion: 'web@1.1.0',
      stage: 'production',
      step: '1/rollback',
      version: '1.1.0',
      revertOf: a,
      source: null,
      fixes: null,
      detectedAt: '2026-11-02T09:58:00Z',
    },
    {
      sha: a,
      committedAt: '2026-11-02T09:00:00+00:00',
      promotion: 'web@1.1.0',
      stage: 'production',
      step: '1/promote',
      version: '1.1.0',
      revertOf: null,
      source: { commit: 'f00', time: '2026-11-01T08:00:00Z' },
      fixes: '1.0.9',
      detectedAt: null,
    },
  ]);
});
