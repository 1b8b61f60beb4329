/**
 * The audit trail end to end, on the real dev server with the real activities over a real Git
 * remote and the worker's real identity check (Ed25519 keys): a promotion with an approval gate
 * writes its decisions — the unverified request from the CLI, an unsigned approval refused, a
 * signed approval from Slack — to the branch ramp/audit, with actor, channel and binding;
 * `ramp audit verify` (the real CLI) says the trail is intact, then says where it is broken
 * after one record is rewritten in a new commit, and after a cleverer rewrite that recomputes
 * the chain (the branch only ever appends).
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { simpleGit } from 'simple-git';
import { canonicalJson } from '../../src/audit/canonical.js';
import { recordHash } from '../../src/audit/chain.js';
import { AUDIT_BRANCH, AUDIT_FILE, type AuditRecord } from '../../src/audit/record.js';
import { ActorMethod, type Actor } from '../../src/identity/actor.js';
import type { DecisionTarget } from '../../src/identity/decision.js';
import { generateDecisionKeys, signDecision, type DecisionSigningKey } from '../../src/identity/decision-signature.js';
import {
  abortUpdate,
  approveUpdate,
  promotionStatusQuery,
  promotionWorkflowId,
  resumeUpdate,
  stageStatusQuery,
  stageWorkflowId,
  type StageStatus,
} from '../../workflows/messages.js';
import { configureRepo, createGitOpsRemote } from '../harness/git.js';
import { createTestWorker, getTestEnv } from '../harness/temporal.js';
import { fakeRamp } from '../support/fake-activities.js';
import { webPipeline } from '../support/pipelines.js';
import { promotionOutcome } from '../../workflows/promotion-outcome.js';
import type { promotionWorkflow } from '../../workflows/promotion.js';
import { startCliStack, type CliStack } from '../cli/helpers.js';
import { pipelineYaml } from '../support/pipelines.js';
import { realRamp, type RealRamp } from '../support/real-ramp.js';
import { waitFor } from '../support/wait.js';
import { testServer, tokenOf } from '../support/server.js';

const bob: Actor = { subject: 'sub-bob', name: 'bob', email: 'bob@example.com', groups: ['sre'], issuer: 'https://id.example.com', method: ActorMethod.Oidc };

describe('the audit trail', () => {
  let env: TestWorkflowEnvironment;
  let key: DecisionSigningKey;
  let keysDir: string;
  let ramp: RealRamp;
  let stack: CliStack;
  before(async () => {
    env = await getTestEnv();
    const keys = await generateDecisionKeys('audit-key');
    key = keys.signing;
    keysDir = await mkdtemp(path.join(tmpdir(), 'ramp-audit-keys-'));
    const keysFile = path.join(keysDir, 'decision-keys.json');
    await writeFile(keysFile, JSON.stringify(keys.publicKeys));
    ramp = await realRamp(env, {}, undefined, { decisionKeysFile: keysFile });
    stack = await startCliStack(ramp.activities);
  });
  after(async () => {
    await stack?.stop();
    await ramp?.cleanup();
    await env?.teardown();
    await rm(keysDir, { recursive: true, force: true });
  });

  /** `ramp audit --pipeline <name> --json`: its output and the records it lists. */
  async function auditOf(name: string): Promise<{ listed: { stdout: string }; records: AuditRecord[] }> {
    const listed = await stack.run(['audit', '--pipeline', name, '--json']);
    assert.equal(listed.code, 0, listed.stderr);
    const records = listed.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as AuditRecord);
    return { listed, records };
  }

  /** The trail as the branch holds it now, in a fresh clone; `edit` rewrites it in a new commit pushed on top. */
  async function auditBranch(edit?: (lines: string[]) => string[]): Promise<AuditRecord[]> {
    const dir = await mkdtemp(path.join(tmpdir(), 'ramp-audit-clone-'));
    try {
      const git = simpleGit(dir);
      await git.clone(ramp.remote.remoteUrl, dir, ['--branch', AUDIT_BRANCH]);
      await configureRepo(git);
      const file = path.join(dir, AUDIT_FILE);
      const lines = (await readFile(file, 'utf8')).split('\n').filter((l) => l !== '');
      if (edit) {
        await writeFile(
          file,
          edit(lines)
            .map((l) => `${l}\n`)
            .join(''),
        );
        await git.add(AUDIT_FILE);
        await git.commit('rewrite the audit trail');
        await git.push('origin', AUDIT_BRANCH);
      }
      return lines.map((l) => JSON.parse(l) as AuditRecord);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  test('decisions land on ramp/audit with actor, channel and binding; tampering is found by ramp audit verify', async () => {
    const name = await stack.pipeline('audit', (n) =>
      pipelineYaml({
        name: n,
        url: ramp.remote.remoteUrl,
        stages: { production: { with: ['approval: { approvers: ["group:sre"] }'], steps: ['setWeight: 50'] } },
      }),
    );
    const promotionId = promotionWorkflowId(name, '1.1.0');
    const started = await stack.run(['promote', name, '1.1.0']);
    assert.equal(started.code, 0, started.stderr);

    const stage = env.client.workflow.getHandle(stageWorkflowId(name, 'production'));
    const gate = await waitFor(
      () => stage.query(stageStatusQuery),
      (s: StageStatus) => s.phase === 'AwaitingApproval',
      'the approval gate',
      60_000,
    );
    // Unsigned, while the worker verifies decisions: refused, and the refusal is a decision on the trail.
    const unsigned = await stack.run(['approve', promotionId, '--stage', 'production', '--as', 'mallory']);
    assert.equal(unsigned.code, 1, unsigned.stdout);
    const record = gate.approvals.at(-1)!;
    const target: DecisionTarget = {
      promotionId,
      pipeline: name,
      version: '1.1.0',
      stage: 'production',
      attempt: gate.attempt,
      gate: record.gate,
      commit: record.commit ?? null,
    };
    const decisionId = randomUUID();
    const decision = await signDecision(
      {
        decisionId,
        action: 'approve',
        actor: bob,
        target,
        channel: 'slack',
        issuedAt: new Date(Date.now() - 1000).toISOString(),
        expiresAt: new Date(Date.now() + 300_000).toISOString(),
      },
      key,
    );
    await stage.executeUpdate(approveUpdate, { args: [{ promotionId, actor: 'bob', decision }] });
    const promotion = env.client.workflow.getHandle(promotionId);
    const done = await waitFor(
      () => promotion.query(promotionStatusQuery),
      (s) => s.finishedAt !== null,
      'the promotion to finish',
      60_000,
    );
    assert.equal(done.phase, 'Succeeded', done.message);

    // The stage and the promotion drain their outboxes before they end: the trail is complete now.
    const { listed, records } = await auditOf(name);
    const kinds = records.map((r) => r.kind);
    assert.deepEqual(kinds, ['promote-requested', 'approve-refused', 'approved'], listed.stdout);
    const [requested, refused, approved] = records as [AuditRecord, AuditRecord, AuditRecord];
    assert.deepEqual(requested.actor, { name: 'rm', method: 'local-unverified' });
    assert.equal(requested.channel, 'cli');
    assert.equal(requested.bound.promotionId, promotionId);
    assert.deepEqual(refused.actor, { name: 'mallory', method: 'local-unverified' });
    assert.match(refused.message, /mallory is not a verified identity/);
    assert.deepEqual(approved.actor, bob);
    assert.equal(approved.channel, 'slack');
    assert.equal(approved.decisionId, decisionId);
    assert.deepEqual(approved.bound, { promotionId, pipeline: name, stage: 'production', attempt: 1, gate: 'gate', commit: record.commit ?? null });
    assert.match(approved.bound.commit ?? '', /^[0-9a-f]{40}$/);
    assert.deepEqual(
      records.map((r) => r.seq),
      [1, 2, 3],
    );
    assert.deepEqual(await auditBranch(), records, 'the CLI shows what the branch holds');

    const table = await stack.run(['audit', '--pipeline', name]);
    assert.match(table.stdout, /approved +bob via slack +.*production\/gate/);
    assert.match(table.stdout, /approve-refused +mallory \(unverified\) via cli/);

    // Through the API: the same records as JSON lines, for any signed-in person; nobody else.
    const server = await testServer({ env: stack.vars, pipelinesDir: stack.dir });
    const api = await server.app.request(`/api/v1/audit?pipeline=${name}&since=1d`, { headers: { authorization: tokenOf('carol') } });
    assert.equal(api.status, 200, await api.clone().text());
    assert.match(api.headers.get('content-type') ?? '', /^application\/x-ndjson/);
    assert.equal(await api.text(), listed.stdout);
    const verifiedByApi = await server.app.request(`/api/v1/audit/verify?pipeline=${name}`, { headers: { authorization: tokenOf('carol') } });
    assert.deepEqual(await verifiedByApi.json(), [
      { trail: `${ramp.remote.remoteUrl} (branch ramp/audit)`, pipelines: [name], verification: { intact: true, records: 3, head: approved.hash } },
    ]);
    assert.equal((await server.app.request(`/api/v1/audit?pipeline=${name}`)).status, 401);

    const intact = await stack.run(['audit', 'verify', '--pipeline', name]);
    assert.equal(intact.code, 0, intact.stdout + intact.stderr);
    assert.match(intact.stdout, new RegExp(`: intact: 3 records, head ${approved.hash}\\n$`));

    // Rewritten cleverly in a new commit: the record and every later one rehashed. The chain holds,
    // but the branch's history shows a commit that changed a record instead of appending.
    await auditBranch(() => {
      const forged: Omit<AuditRecord, 'hash'>[] = records.map(({ hash: _hash, ...r }) => ({ ...r }));
      forged[1]!.message = 'nothing happened here';
      let prev = forged[0]!.prev;
      return forged.map((r) => {
        const next = { ...r, prev };
        const hash = recordHash(next);
        prev = hash;
        return canonicalJson({ ...next, hash });
      });
    });
    const forged = await stack.run(['audit', 'verify', '--pipeline', name, '--json']);
    assert.equal(forged.code, 1, forged.stdout);
    const [result] = JSON.parse(forged.stdout) as { verification: { intact: boolean; at: number; id: string; problem: string } }[];
    assert.deepEqual(
      { ...result!.verification, problem: result!.verification.problem.replace(/[0-9a-f]{12}/, '<sha>') },
      { intact: false, records: 3, at: 2, id: refused.id, problem: 'commit <sha> changed it instead of appending' },
    );

    // A record rewritten crudely in a new commit: its hash no longer matches its content.
    await auditBranch((lines) => lines.map((l, i) => (i === 2 ? l.replace('"name":"bob"', '"name":"mallory"') : l)));
    const broken = await stack.run(['audit', 'verify', '--pipeline', name]);
    assert.equal(broken.code, 1, broken.stdout);
    assert.match(broken.stdout, new RegExp(`broken at record 3 \\(${escape(approved.id)}\\): hash does not match its content\\n$`));
  });

  test('operator decisions signed in a channel keep it on the record: a resume and an abort carry their channel and decision id', async () => {
    const remote = await createGitOpsRemote();
    try {
      const name = await stack.pipeline('audit-operate', (n) =>
        pipelineYaml({ name: n, url: remote.remoteUrl, stages: { staging: { steps: ['setWeight: 10', 'pause: {}', 'setWeight: 50', 'pause: {}'] } } }),
      );
      const version = '1.2.0';
      const promotionId = promotionWorkflowId(name, version);
      const started = await stack.run(['promote', name, version]);
      assert.equal(started.code, 0, started.stderr);
      const promotion = env.client.workflow.getHandle<typeof promotionWorkflow>(promotionId);
      const stage = env.client.workflow.getHandle(stageWorkflowId(name, 'staging'));
      const pausedAt = (weight: number) =>
        waitFor(
          () => stage.query(stageStatusQuery),
          (s: StageStatus) => s.pauseReason === 'CanaryPauseStep' && s.canaryWeight === weight,
          `staging's canary pause at ${weight}%`,
          60_000,
        );
      const sign = async (action: 'resume' | 'abort', attempt: number, channel: 'web' | 'slack') => {
        const decisionId = randomUUID();
        const target: DecisionTarget = { promotionId, pipeline: name, version, stage: 'staging', gate: null, attempt, commit: null };
        const issuedAt = new Date(Date.now() - 1000).toISOString();
        const expiresAt = new Date(Date.now() + 300_000).toISOString();
        return { decisionId, decision: await signDecision({ decisionId, action, actor: bob, target, channel, issuedAt, expiresAt }, key) };
      };

      const resume = await sign('resume', (await pausedAt(10)).attempt, 'web');
      await stage.executeUpdate(resumeUpdate, { args: [{ promotionId, actor: 'bob', decision: resume.decision }] });
      const abort = await sign('abort', (await pausedAt(50)).attempt, 'slack');
      await stage.executeUpdate(abortUpdate, { args: [{ promotionId, actor: 'bob', reason: 'latency up', decision: abort.decision }] });
      assert.equal((await promotionOutcome(promotion.result())).phase, 'Aborted');

      const { records } = await auditOf(name);
      const resumed = records.find((r) => r.kind === 'resumed');
      const aborted = records.find((r) => r.kind === 'abort-requested' && r.bound.stage === 'staging');
      assert.ok(resumed && aborted, `the resume and the stage's abort are on the trail: ${records.map((r) => r.kind).join(', ')}`);
      assert.deepEqual([resumed.actor, resumed.channel, resumed.decisionId], [bob, 'web', resume.decisionId]);
      assert.deepEqual([aborted.actor, aborted.channel, aborted.decisionId], [bob, 'slack', abort.decisionId]);
    } finally {
      await remote.cleanup();
    }
  });
});

describe('the audit trail when it cannot be written', () => {
  let env: TestWorkflowEnvironment;
  before(async () => (env = await getTestEnv()));
  after(async () => env?.teardown());

  test('a failed append never fails the promotion: retried with back-off, then given up and recorded', async () => {
    const fake = fakeRamp();
    fake.failAudit = 'cannot push to the audit branch (test)';
    const spec = webPipeline();
    const pipeline = { ...spec, stages: spec.stages.slice(0, 1) };
    const { worker, taskQueue } = await createTestWorker(env, { activities: fake.activities });
    const result = await worker.runUntil(async () => {
      const handle = await env.client.workflow.start<typeof promotionWorkflow>('promotionWorkflow', {
        taskQueue,
        workflowId: promotionWorkflowId(pipeline.name, '1.1.0'),
        args: [{ apiVersion: 'ramp/v1', pipeline, version: '1.1.0', requestedBy: 'rm', kind: 'promote' }],
      });
      return promotionOutcome(handle.result());
    });
    assert.equal(result.phase, 'Succeeded', result.message);
    assert.equal(fake.auditAttempts, 4, 'the activity was retried, then given up');
    assert.deepEqual(fake.audit, []);
    const failed = result.events.filter((e) => e.kind === 'audit-write-failed');
    assert.equal(failed.length, 1, JSON.stringify(result.events));
    assert.match(
      failed[0]!.message,
      /^the audit trail could not be written; 1 decision\(s\) \(promote-requested\) stay only in this record: cannot push to the audit branch \(test\)$/,
    );
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
