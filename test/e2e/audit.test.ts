/**
 * The audit trail's activities over a real Git remote (no Temporal): workers with their own
 * cached clones appending at the same time all land, in one unbroken chain; an entry already on
 * the branch is never written twice; reading filters by pipeline and time; the branch is an
 * orphan that shares nothing with the deployment branch.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { MockActivityEnvironment } from '@temporalio/testing';
import { simpleGit } from 'simple-git';
import {
  createAuditActivities,
  type AppendAuditRequest,
  type AppendAuditResult,
  type AuditReadRequest,
  type AuditReadResult,
  type AuditVerification,
} from '../../activities/audit.js';
import { describeVerification } from '../../src/audit/chain.js';
import { AUDIT_BRANCH, auditActor, type AuditEntry } from '../../src/audit/record.js';
import { CachedGitOpsRepositories } from '../../src/providers/git/index.js';
import type { RepositorySpec } from '../../src/schema/pipeline.js';
import { createGitOpsRemote, type GitOpsRemote } from '../harness/git.js';
import { recordingLogger } from '../support/recording-logger.js';

const entry = (workflow: string, n: number, pipeline = 'web'): AuditEntry => ({
  id: `${workflow}/run/${n}`,
  at: new Date(Date.UTC(2026, 10, 30, 10, 0, n)).toISOString(),
  kind: 'approved',
  message: `${workflow} decision ${n}`,
  actor: auditActor('rm'),
  channel: 'cli',
  bound: { promotionId: `${pipeline}@1.0.0`, pipeline, stage: 'production', attempt: 1, gate: 'gate', commit: null },
  workflowId: workflow,
});

describe('audit activities over a real remote', () => {
  let remote: GitOpsRemote;
  let cache: string;
  let repository: RepositorySpec;
  before(async () => {
    remote = await createGitOpsRemote();
    cache = await mkdtemp(path.join(tmpdir(), 'ramp-audit-workers-'));
    repository = { url: remote.remoteUrl, branch: 'main', secretRef: null };
  });
  after(async () => {
    await remote?.cleanup();
    await rm(cache, { recursive: true, force: true });
  });

  /** A worker of its own: its own clone cache, as on another machine. */
  const worker = (name: string) => {
    const activities = createAuditActivities({ repositories: new CachedGitOpsRepositories({ cacheDir: path.join(cache, name) }) });
    const env = () => new MockActivityEnvironment(undefined, { logger: recordingLogger() });
    return {
      append: (request: AppendAuditRequest): Promise<AppendAuditResult> => env().run(activities.appendAudit.bind(activities), request),
      read: (request: AuditReadRequest): Promise<AuditReadResult> => env().run(activities.readAudit.bind(activities), request),
      verify: (spec: RepositorySpec): Promise<AuditVerification> => env().run(activities.verifyAudit.bind(activities), spec),
    };
  };

  test('concurrent appends from three workers form one chain; repeats are skipped', async () => {
    const workers = ['a', 'b', 'c'].map(worker);
    const batches = workers.map((_, w) => [1, 2, 3].map((n) => entry(`wf-${w}`, n, w === 2 ? 'api' : 'web')));
    const results = await Promise.all(workers.map((w, i) => w.append({ repository, entries: batches[i]! })));
    assert.deepEqual(
      results.map((r) => r.appended),
      [3, 3, 3],
    );
    // Again (a retried activity, a replayed workflow): nothing new.
    const again = await workers[0]!.append({ repository, entries: [...batches[1]!, ...batches[0]!] });
    assert.deepEqual(again, { appended: 0, sha: null, trail: `${remote.remoteUrl} (branch ${AUDIT_BRANCH})` });

    const checked = await workers[1]!.verify(repository);
    assert.match(describeVerification(checked.verification), /^intact: 9 records, head [0-9a-f]{64}$/);

    const all = await workers[2]!.read({ repository });
    assert.deepEqual(
      all.records.map((r) => r.seq),
      [1, 2, 3, 4, 5, 6, 7, 8, 9],
    );
    // Each worker's batch stays together and in order.
    for (const batch of batches) {
      const at = all.records.findIndex((r) => r.id === batch[0]!.id);
      assert.deepEqual(
        all.records.slice(at, at + 3).map((r) => r.id),
        batch.map((e) => e.id),
      );
    }
    const api = await workers[2]!.read({ repository, pipeline: 'api', since: entry('x', 2).at });
    assert.deepEqual(
      api.records.map((r) => r.id),
      ['wf-2/run/2', 'wf-2/run/3'],
    );

    // An orphan branch: nothing in common with the deployment branch.
    const bare = simpleGit(remote.bareDir);
    const base = await bare.raw(['merge-base', 'main', AUDIT_BRANCH]).catch(() => '');
    assert.equal(base.trim(), '', 'ramp/audit shares no commit with main');
    const main = await bare.raw(['log', '--format=%H', 'main']);
    assert.equal(main.trim(), remote.seedCommit, 'main is untouched');
  });

  test('organisation-wide decisions without an audit repository are not written anywhere', async () => {
    assert.deepEqual(await worker('d').append({ repository: null, entries: [entry('freeze', 1)] }), { appended: 0, sha: null, trail: null });
  });
});
