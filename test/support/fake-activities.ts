/**
 * A hand-written fake of ramp's own activity interface (activities/contract.ts), for workflow
 * tests that exercise the state machine without Git. Integration tests use the real activities.
 */
import { computeDora } from '../../src/dora/compute.js';
import { createIdentityActivities } from '../../activities/identity.js';
import { createHash } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import type { Notification, RampActivities } from '../../activities/contract.js';
import type { Groups } from '../../src/domain/approval.js';
import type { Measurement } from '../../src/domain/analysis/measurement.js';
import type { CommitRequest, HistoryEntry, RevertRequest } from '../../src/domain/changes.js';
import { renderTemplate } from '../../src/domain/template.js';
import { evaluatePolicies } from '../../src/governance/policy-evaluate.js';
import { pin } from '../../src/governance/policy-hash.js';
import type { MetricSpec } from '../../src/schema/pipeline.js';
import type { SyncRequest } from '../../activities/kube.js';
import type { DriftReport } from '../../src/domain/drift.js';
import type { HistoryCheckRequest, HistoryCheckResult } from '../../src/domain/guard.js';
import type { FreezeState } from '../../src/domain/freeze.js';
import { createWindowActivities } from '../../activities/windows.js';
import type { AuditEntry } from '../../src/audit/record.js';

export interface DriftCall {
  kind: 'detect' | 'restore' | 'accept';
  sha: string;
  objects?: string[];
  actor?: string;
  step?: string;
}

export interface FakeRamp {
  activities: RampActivities;
  /** The decisions appended to the audit trail, in order, once each. */
  audit: AuditEntry[];
  /** While set, every audit append fails (retryably) with this message; `auditAttempts` counts the calls. */
  failAudit: string | null;
  readonly auditAttempts: number;
  commits: CommitRequest[];
  reverts: RevertRequest[];
  notifications: Notification[];
  /** Make the next commits whose subject matches fail (non-retryably) with this failure type; null: stop failing. */
  failCommits(match: RegExp | null, type?: string): void;
  /** Hold commits whose subject matches until release() (to catch a stage mid-step). */
  holdCommits(match: RegExp): { released: Promise<void>; release: () => void; reached: Promise<void> };
  /** The environment holder the fake reports for a stage workflow id. */
  holders: Map<string, string>;
  /** What readFieldHistory answers: the values a stage's stable field had (a rollback checks them). */
  fieldHistory: string[];
  /** What each measurement of a metric returns (by metric name); Successful 0 by default. */
  measure: (metric: MetricSpec) => { phase: Measurement['phase']; value?: number | number[]; error?: string };
  measurements: { metric: string; query: string }[];
  /** Every webhook call, in order. */
  hooks: { name: string; type: string; phase: string }[];
  /** Answers per hook name, consumed in order (the last one repeats); 2xx when absent. */
  answers: Map<string, boolean[]>;
  /** detectDrift / restoreDrift / acceptDrift calls, in order. */
  driftCalls: DriftCall[];
  /** What detectDrift reports, and what restore/accept do to it. */
  drift: { report: () => DriftReport; onRestore: () => void; onAccept: () => void };
  /** Stages whose drift watch was started, in order. */
  watches: string[];
  /** Every sync request (stages with a sync mode), in order. */
  syncs: SyncRequest[];
  /** How a sync ends: live (default), or a non-retryable failure of `type` with `message`; `hold` waits first. */
  sync: (request: SyncRequest) => { fail?: { type: string; message: string }; hold?: Promise<void> };
  /** What the history guard's check answers (default: every commit reachable, each branch's tip its last asked commit); every request, in order. */
  history: { check: (request: HistoryCheckRequest) => HistoryCheckResult; requests: HistoryCheckRequest[] };
  /** The organisation's freeze the deployWindow activity sees (null: none). */
  freeze: FreezeState | null;
  /** What readHistory answers (newest first; filtered by the query's stage). */
  gitHistory: HistoryEntry[];
}

const sha = (text: string) => createHash('sha1').update(text).digest('hex');

export function fakeRamp(groups: Groups = {}, identity: { decisionKeysFile?: string } = {}): FakeRamp {
  const commits: CommitRequest[] = [];
  const reverts: RevertRequest[] = [];
  const notifications: Notification[] = [];
  const holders = new Map<string, string>();
  let failing: { match: RegExp; type: string } | null = null;
  const holds: { match: RegExp; gate: Promise<void>; reached: () => void }[] = [];
  const seen = new Map<string, string>();

  const measurements: { metric: string; query: string }[] = [];
  const audit: AuditEntry[] = [];
  const auditControl = { fail: null as string | null, attempts: 0 };
  const fake = {
    fieldHistory: [] as string[],
    measure: (_metric: MetricSpec): { phase: Measurement['phase']; value?: number | number[]; error?: string } => ({ phase: 'Successful', value: 0 }),
  };
  const hooks: { name: string; type: string; phase: string }[] = [];
  const answers = new Map<string, boolean[]>();
  const syncs: SyncRequest[] = [];
  const driftCalls: DriftCall[] = [];
  const driftControl = { report: (): DriftReport => ({ sha: 'a'.repeat(40), compared: 1, drifts: [] }), onRestore: () => {}, onAccept: () => {} };
  const watches: string[] = [];
  const windowControl = { freeze: null as FreezeState | null, history: [] as HistoryEntry[] };
  const syncControl = { sync: (_request: SyncRequest): { fail?: { type: string; message: string }; hold?: Promise<void> } => ({}) };
  const history: FakeRamp['history'] = {
    check: (request) => ({ tips: request.branches.map((b) => ({ branch: b.branch, tip: b.shas.at(-1) ?? null })), missing: [] }),
    requests: [],
  };
  const activities: RampActivities = {
    // The real window edges (time-zone data in the test process), with the fake's freeze.
    ...createWindowActivities({ readFreeze: () => Promise.resolve(windowControl.freeze) }),
    // Policies without Git: the pipeline's own, no history, no diff (test/workflows/policies.test.ts uses the real ones).
    // eslint-disable-next-line @typescript-eslint/require-await
    async loadPolicies(request) {
      return request.policies.map((p) => pin(p, 'pipeline'));
    },
    // eslint-disable-next-line @typescript-eslint/require-await
    async evaluatePolicies(request) {
      return evaluatePolicies(request.policies, {
        ...request.input,
        now: new Date().toISOString(),
        history: {},
        diff: { files: [], changedLines: 0, lines: [] },
      });
    },
    // Drift needs a cluster: its tests use the real activities (test/kube).
    // eslint-disable-next-line @typescript-eslint/require-await
    async detectDrift() {
      const report = driftControl.report();
      driftCalls.push({ kind: 'detect', sha: report.sha });
      return report;
    },
    // eslint-disable-next-line @typescript-eslint/require-await
    async restoreDrift(request) {
      driftCalls.push({ kind: 'restore', sha: request.sha, objects: request.drifts.map((d) => d.object) });
      driftControl.onRestore();
      return request.drifts.map((d) => d.object);
    },
    // eslint-disable-next-line @typescript-eslint/require-await
    async acceptDrift(request) {
      driftCalls.push({ kind: 'accept', sha: request.sha, objects: request.drifts.map((d) => d.object), actor: request.actor, step: request.step });
      driftControl.onAccept();
      return { sha: sha(`accept|${request.step}`), files: ['envs/staging/stable.yaml'] };
    },
    // eslint-disable-next-line @typescript-eslint/require-await
    async watchDrift(spec) {
      watches.push(spec.stage.name);
      return `${spec.pipeline}/${spec.stage.name}:drift`;
    },
    async syncStage(request) {
      syncs.push(request);
      const answer = syncControl.sync(request);
      if (answer.hold) await answer.hold;
      if (answer.fail) throw ApplicationFailure.nonRetryable(answer.fail.message, answer.fail.type);
      return {
        sha: request.sha ?? 'head',
        applied: 3,
        agent: null,
        workloads: [{ workload: 'Deployment default/web', state: 'Healthy', message: '1 of 1 replicas available' }],
        tookMs: 5,
      };
    },
    // eslint-disable-next-line @typescript-eslint/require-await
    async callWebhook({ hook, payload }) {
      hooks.push({ name: hook.name, type: hook.type, phase: payload.phase });
      const queue = answers.get(hook.name) ?? [];
      const ok = queue.length > 1 ? queue.shift()! : (queue[0] ?? true);
      return { ok, status: ok ? 200 : 503, error: ok ? null : `webhook ${hook.name} answered HTTP 503`, attempts: 1 };
    },
    // eslint-disable-next-line @typescript-eslint/require-await
    async judgeCanary() {
      const at = new Date().toISOString();
      return {
        phase: 'Successful',
        value: 100,
        error: null,
        message: 'score 100 (fake)',
        startedAt: at,
        finishedAt: at,
        query: '(fake judge)',
        judgement: null,
      };
    },
    // eslint-disable-next-line @typescript-eslint/require-await
    async measureMetric({ metric, args }) {
      const query = renderTemplate(metric.provider.query, args);
      measurements.push({ metric: metric.name, query });
      const taken = fake.measure(metric);
      const at = new Date().toISOString();
      return {
        phase: taken.phase,
        value: taken.value ?? null,
        error: taken.error ?? null,
        message: taken.error ?? `value ${JSON.stringify(taken.value ?? null)}`,
        startedAt: at,
        finishedAt: at,
        query,
      };
    },
    async commitStageChange(request) {
      const key = `${request.trailers.promotion}|${request.trailers.stage}|${request.trailers.step}`;
      const earlier = seen.get(key);
      if (earlier) return { sha: earlier, reused: true, files: [] };
      if (failing?.match.test(request.subject)) {
        throw ApplicationFailure.nonRetryable(`cannot push ${request.subject}: conflict in route.yaml`, failing.type);
      }
      const hold = holds.find((h) => h.match.test(request.subject));
      if (hold) {
        hold.reached();
        await hold.gate;
      }
      commits.push(request);
      const id = sha(`${key}|${commits.length}`);
      seen.set(key, id);
      return { sha: id, reused: false, files: [`${request.stagePath}/x.yaml`] };
    },
    // eslint-disable-next-line @typescript-eslint/require-await
    async revertStageCommits(request) {
      reverts.push(request);
      return { reverts: request.commits.map((c) => ({ reverted: c, sha: sha(`revert ${c}`) })) };
    },
    // eslint-disable-next-line @typescript-eslint/require-await
    async readHistory(query) {
      return windowControl.history.filter((e) => query.stage === undefined || e.stage === query.stage);
    },
    // eslint-disable-next-line @typescript-eslint/require-await
    async readDelivery(query) {
      return computeDora([], query);
    },
    // eslint-disable-next-line @typescript-eslint/require-await
    async readFieldHistory() {
      return fake.fieldHistory;
    },
    // The worker's own identity activity (no fake): without keys, every command is unverified.
    ...createIdentityActivities({ decisionKeysFile: identity.decisionKeysFile }),
    // eslint-disable-next-line @typescript-eslint/require-await
    async branchHead() {
      return sha(`head after ${commits.length} commit(s)`);
    },
    // eslint-disable-next-line @typescript-eslint/require-await
    async resolveGroups(names) {
      return Object.fromEntries(names.map((n) => [n, groups[n] ?? []]));
    },
    // eslint-disable-next-line @typescript-eslint/require-await
    async environmentHolder(id) {
      return holders.get(id) ?? null;
    },
    // eslint-disable-next-line @typescript-eslint/require-await
    async notify(n) {
      notifications.push(n);
    },
    // eslint-disable-next-line @typescript-eslint/require-await
    async checkHistory(request) {
      history.requests.push(request);
      return history.check(request);
    },
    // The audit trail in memory: entries by id, in order (the chain is src/audit's, tested on its own).
    // eslint-disable-next-line @typescript-eslint/require-await
    async appendAudit({ entries }) {
      auditControl.attempts++;
      if (auditControl.fail !== null) throw ApplicationFailure.retryable(auditControl.fail, 'RepositoryUnavailable');
      const fresh = entries.filter((e) => !audit.some((a) => a.id === e.id));
      audit.push(...fresh);
      return { appended: fresh.length, sha: null, trail: 'memory' };
    },
    // eslint-disable-next-line @typescript-eslint/require-await
    async readAudit() {
      return { records: [], truncated: false };
    },
    // eslint-disable-next-line @typescript-eslint/require-await
    async verifyAudit() {
      return { trail: 'memory', verification: { intact: true, records: 0, head: '0'.repeat(64) } };
    },
  };
  return {
    activities,
    history,
    get freeze() {
      return windowControl.freeze;
    },
    set freeze(state) {
      windowControl.freeze = state;
    },
    get gitHistory() {
      return windowControl.history;
    },
    set gitHistory(entries) {
      windowControl.history = entries;
    },
    audit,
    get failAudit() {
      return auditControl.fail;
    },
    set failAudit(message) {
      auditControl.fail = message;
    },
    get auditAttempts() {
      return auditControl.attempts;
    },
    hooks,
    answers,
    measurements,
    syncs,
    watches,
    driftCalls,
    drift: driftControl,
    get sync() {
      return syncControl.sync;
    },
    set sync(fn) {
      syncControl.sync = fn;
    },
    get fieldHistory() {
      return fake.fieldHistory;
    },
    set fieldHistory(values) {
      fake.fieldHistory = values;
    },
    get measure() {
      return fake.measure;
    },
    set measure(fn) {
      fake.measure = fn;
    },
    commits,
    reverts,
    notifications,
    holders,
    failCommits(match, type = 'GitConflict') {
      failing = match === null ? null : { match, type };
    },
    holdCommits(match) {
      let release!: () => void;
      let reached!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      const reachedP = new Promise<void>((r) => (reached = r));
      holds.push({ match, gate, reached });
      return { released: gate, release, reached: reachedP };
    },
  };
}
