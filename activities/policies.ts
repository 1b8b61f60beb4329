/**
 * Policy activities (docs/governance.md). `loadPolicies` pins a promotion's policies when it
 * starts: the pipeline's own and those of the organisation's policy files (RAMP_POLICY_FILES),
 * each with its content hash and source. `evaluatePolicies` decides them at a checkpoint: it
 * completes what the workflow knows (the release, the stage, approvals, analyses, the window)
 * with the clock, the pipeline's recent history and, before a commit, the diff ramp is about to
 * commit — computed by applying the change to the branch head's files in memory.
 */
import { UsageError } from '../src/errors.js';
import { loadPolicyFiles, type LoadedPolicyFile } from '../src/governance/policy-files.js';
import { readFile, realpath } from 'node:fs/promises';
import path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import type { FileDiff, HistoryEntry, StageChange } from '../src/domain/changes.js';
import { evaluatePolicies as decide, type PolicyDecision } from '../src/governance/policy-evaluate.js';
import { policyDiff, lineDiff } from '../src/governance/policy-diff.js';
import { policiesFor } from '../src/governance/policy-file.js';
import { pin } from '../src/governance/policy-hash.js';
import type { PolicyInput } from '../src/governance/policy-input.js';
import type { GitOpsRepositories } from '../src/providers/git/index.js';
import { applyFileEdits, planFileEdits } from '../src/providers/git/changes.js';
import type { PinnedPolicy, PolicySpec, RepositorySpec } from '../src/schema/pipeline.js';
import { asActivityFailure } from './git.js';

export interface PolicyActivityDeps {
  repositories: GitOpsRepositories;
  /** RAMP_POLICY_FILES: the organisation's policy files. */
  policyFiles: readonly string[];
}

/** What the stage knows at a checkpoint; the activity adds now, history and the diff. */
export interface PolicyRequest {
  policies: PinnedPolicy[];
  input: Omit<PolicyInput, 'now' | 'history' | 'diff'>;
  repository: RepositorySpec;
  /** The pipeline's last stage: its promotions are the "production" successes of `history`. */
  lastStage: string;
  /** The commit checkpoint: the change about to be written. */
  commit?: { stagePath: string; image: string; version: string; changes: StageChange[] };
}

/** Non-retryable: an organisation policy file is missing or invalid; the promotion changes nothing. */
export const POLICY_FILE_INVALID = 'PolicyFileInvalid';

export function createPolicyActivities({ repositories, policyFiles }: PolicyActivityDeps) {
  return {
    /** The pipeline's policies then the organisation's, pinned (hash, source). Fails (not retried) on an invalid policy file. */
    async loadPolicies(request: { pipeline: string; policies: PolicySpec[] }): Promise<PinnedPolicy[]> {
      const pinned = request.policies.map((p) => pin(p, 'pipeline'));
      let files: LoadedPolicyFile[];
      try {
        files = await loadPolicyFiles(policyFiles);
      } catch (error) {
        if (error instanceof UsageError) throw ApplicationFailure.nonRetryable(`${error.message} and restart the worker`, POLICY_FILE_INVALID);
        throw error;
      }
      for (const { file, spec } of files) pinned.push(...policiesFor(spec, request.pipeline, file));
      return pinned;
    },

    /** Every policy of the request, decided at its checkpoint. */
    async evaluatePolicies(request: PolicyRequest): Promise<PolicyDecision[]> {
      const repository = repositories.get(request.repository);
      const history = await asActivityFailure(() => repository.history({ repository: request.repository, limit: 200 }));
      let diff: PolicyInput['diff'] = { files: [], changedLines: 0, lines: [] };
      if (request.commit) {
        const snapshot = await asActivityFailure(() => repository.snapshot(null));
        diff = policyDiff(await changeDiff(snapshot.dir, request.commit));
      }
      const input: PolicyInput = {
        ...request.input,
        now: new Date().toISOString(),
        history: historyOf(history, request.input.release.pipeline, request.lastStage),
        diff,
      };
      return decide(request.policies, input);
    },
  };
}

/** The lines `commit` would change in the files under `root` (the branch head), without writing anything. */
async function changeDiff(root: string, commit: NonNullable<PolicyRequest['commit']>): Promise<FileDiff[]> {
  const planned = planFileEdits({ stagePath: commit.stagePath, image: commit.image, version: commit.version, changes: commit.changes });
  const realRoot = await realpath(root);
  const diffs: FileDiff[] = [];
  for (const fileEdits of planned) {
    const absolute = await realpath(path.join(root, fileEdits.file)).catch(() => null);
    // A missing file or one outside the repository: the commit itself reports it.
    if (absolute === null || !absolute.startsWith(realRoot + path.sep)) continue;
    const before = await readFile(absolute, 'utf8');
    let after: string;
    try {
      after = applyFileEdits(before, fileEdits);
    } catch {
      continue;
    }
    if (after !== before) diffs.push(lineDiff(fileEdits.file, before, after));
  }
  return diffs;
}

/** From ramp's commits (newest first): the pipeline's last rollback and its last full promotion in its last stage. */
export function historyOf(entries: readonly HistoryEntry[], pipeline: string, lastStage: string): PolicyInput['history'] {
  const ours = entries.filter((e) => e.subject.startsWith(`${pipeline}/`));
  const failure = ours.find((e) => e.rollback !== null);
  const success = ours.find((e) => e.rollback === null && e.stage === lastStage && /\/(promote|update)$/.test(e.step));
  return {
    ...(failure ? { lastFailureAt: failure.committedAt } : {}),
    ...(success ? { lastProductionSuccessAt: success.committedAt } : {}),
  };
}

export type PolicyActivities = ReturnType<typeof createPolicyActivities>;
