/**
 * Every metric ramp exports (docs/metrics.md), as data: its name, type, labels and meaning. The
 * registry (src/observability/registry.ts) builds the prom-client metrics from this list, the
 * docs and the dashboards are checked against it, so a metric is named in one place.
 *
 * Labels are low-cardinality by rule: pipeline, stage, outcome, cause, gate … — never a version,
 * a promotion id, a commit or a person. A stage is the environment it deploys (DORA's "env").
 */

export type MetricType = 'counter' | 'gauge' | 'histogram';

/** Where a metric comes from. */
export type MetricSource =
  /** Recorded by the worker when a workflow reports a fact (a sink: never during replay). */
  | 'fact'
  /** Recorded by the worker's activities as they work (Git, notifications). */
  | 'activity'
  /** Derived from Temporal's visibility at scrape time: survives a worker restart. */
  | 'visibility'
  /** Recorded by `ramp server`. */
  | 'server'
  /** Both processes. */
  | 'process';

export interface MetricDefinition {
  name: string;
  type: MetricType;
  help: string;
  labels: readonly string[];
  source: MetricSource;
  /** Histogram buckets, in the metric's unit (seconds for *_seconds). */
  buckets?: readonly number[];
}

/** Seconds, for waits a person or a clock causes: a second to a week. */
const HUMAN_WAIT = [1, 10, 60, 300, 900, 3600, 4 * 3600, 12 * 3600, 86_400, 3 * 86_400, 7 * 86_400];
/** Seconds, for machine reactions: 10 ms to 5 min. */
const REACTION = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];
/** Seconds, for whole stages and promotions: a second to a week. */
const DELIVERY = [1, 10, 30, 60, 300, 900, 1800, 3600, 4 * 3600, 86_400, 7 * 86_400];
/** Seconds, for DORA's lead time and recovery: a minute to 30 days. */
const DORA = [60, 300, 900, 3600, 4 * 3600, 86_400, 3 * 86_400, 7 * 86_400, 30 * 86_400];

export const METRICS = [
  // Promotions and stages.
  {
    name: 'ramp_promotions_started_total',
    type: 'counter',
    labels: ['pipeline', 'kind'],
    source: 'fact',
    help: 'Promotions started (kind: promote or rollback).',
  },
  {
    name: 'ramp_promotions_finished_total',
    type: 'counter',
    labels: ['pipeline', 'kind', 'outcome'],
    source: 'fact',
    help: 'Promotions ended, by outcome (Succeeded, Failed, Aborted, …).',
  },
  {
    name: 'ramp_promotion_duration_seconds',
    type: 'histogram',
    labels: ['pipeline', 'kind', 'outcome'],
    source: 'fact',
    buckets: DELIVERY,
    help: 'From a promotion’s start to its end, waits included.',
  },
  {
    name: 'ramp_stage_duration_seconds',
    type: 'histogram',
    labels: ['pipeline', 'stage', 'outcome'],
    source: 'fact',
    buckets: DELIVERY,
    help: 'From a stage’s start to its end (outcome: its final phase).',
  },
  {
    name: 'ramp_promotions_running',
    type: 'gauge',
    labels: ['pipeline', 'phase'],
    source: 'visibility',
    help: 'Promotions running now, by phase (Temporal visibility).',
  },
  {
    name: 'ramp_stages_running',
    type: 'gauge',
    labels: ['pipeline', 'stage', 'phase'],
    source: 'visibility',
    help: 'Stages running now, by phase (AwaitingApproval, Paused, Analyzing, …).',
  },
  {
    name: 'ramp_canary_weight',
    type: 'gauge',
    labels: ['pipeline', 'stage'],
    source: 'visibility',
    help: 'The canary’s share of traffic (0–100) in each running stage.',
  },
  // Analysis and the judge.
  {
    name: 'ramp_analysis_measurements_total',
    type: 'counter',
    labels: ['pipeline', 'stage', 'metric', 'phase'],
    source: 'fact',
    help: 'Analysis measurements, by metric and phase (Successful, Failed, Inconclusive, Error).',
  },
  { name: 'ramp_analysis_runs_total', type: 'counter', labels: ['pipeline', 'stage', 'phase'], source: 'fact', help: 'Analysis runs ended, by phase.' },
  {
    name: 'ramp_judge_score',
    type: 'histogram',
    labels: ['pipeline', 'stage'],
    source: 'fact',
    buckets: [10, 20, 30, 40, 50, 60, 70, 75, 80, 85, 90, 95, 100],
    help: 'The canary judge’s scores (0–100).',
  },
  // People and clocks.
  { name: 'ramp_approvals_requested_total', type: 'counter', labels: ['pipeline', 'stage'], source: 'fact', help: 'Approval gates opened.' },
  {
    name: 'ramp_approval_wait_seconds',
    type: 'histogram',
    labels: ['pipeline', 'stage', 'outcome'],
    source: 'fact',
    buckets: HUMAN_WAIT,
    help: 'From an approval gate opening to its decision (approved, rejected, timed-out, overridden).',
  },
  {
    name: 'ramp_gate_wait_seconds',
    type: 'histogram',
    labels: ['pipeline', 'stage', 'gate'],
    source: 'fact',
    buckets: HUMAN_WAIT,
    help: 'Time a stage waited at a gate (approval, pause, window, soak, freeze, webhook).',
  },
  {
    name: 'ramp_overrides_total',
    type: 'counter',
    labels: ['pipeline', 'stage', 'kind'],
    source: 'fact',
    help: 'Overrides (skip, window-override, analysis override, …).',
  },
  // Failures.
  {
    name: 'ramp_rollbacks_total',
    type: 'counter',
    labels: ['pipeline', 'stage', 'cause'],
    source: 'fact',
    help: 'Stage rollbacks (reverts of ramp’s commits), by cause (analysis, abort, rejected, step-failed, not-healthy, …).',
  },
  {
    name: 'ramp_rollback_reaction_seconds',
    type: 'histogram',
    labels: ['pipeline', 'stage'],
    source: 'fact',
    buckets: REACTION,
    help: 'From the failure being detected to the revert pushed.',
  },
  { name: 'ramp_drift_detected_total', type: 'counter', labels: ['pipeline', 'stage'], source: 'fact', help: 'Drifts found between Git and the cluster.' },
  // Git and notifications.
  {
    name: 'ramp_git_pushes_total',
    type: 'counter',
    labels: ['pipeline', 'outcome'],
    source: 'activity',
    help: 'Pushes to GitOps repositories (outcome: pushed, reused, failed).',
  },
  {
    name: 'ramp_git_push_retries_total',
    type: 'counter',
    labels: ['pipeline'],
    source: 'activity',
    help: 'Pushes retried after the branch moved (a rebase and another push).',
  },
  {
    name: 'ramp_git_push_conflicts_total',
    type: 'counter',
    labels: ['pipeline'],
    source: 'activity',
    help: 'Pushes given up on a conflict with another commit.',
  },
  {
    name: 'ramp_notifications_total',
    type: 'counter',
    labels: ['channel', 'outcome'],
    source: 'activity',
    help: 'Notification deliveries (channel: slack, email, webhook; outcome: delivered, failed).',
  },
  // DORA (docs/dora.md): as events happen; `ramp dora` computes the same from Git over any period.
  {
    name: 'ramp_deployments_total',
    type: 'counter',
    labels: ['pipeline', 'stage'],
    source: 'fact',
    help: 'Releases fully promoted (100 % of traffic) in a stage: DORA deployments.',
  },
  {
    name: 'ramp_lead_time_seconds',
    type: 'histogram',
    labels: ['pipeline', 'stage'],
    source: 'fact',
    buckets: DORA,
    help: 'From the release’s source commit to its full promotion (DORA lead time for changes).',
  },
  {
    name: 'ramp_change_failures_total',
    type: 'counter',
    labels: ['pipeline', 'stage', 'cause'],
    source: 'fact',
    help: 'Fully promoted releases later remediated (cause: rollback, revert, fix-forward), once per release.',
  },
  {
    name: 'ramp_canary_catches_total',
    type: 'counter',
    labels: ['pipeline', 'stage'],
    source: 'fact',
    help: 'Releases stopped by their canary before full exposure: failures that never reached all users.',
  },
  {
    name: 'ramp_recovery_seconds',
    type: 'histogram',
    labels: ['pipeline', 'stage'],
    source: 'fact',
    buckets: DORA,
    help: 'From a change failure being detected to a good version live again (DORA failed deployment recovery time).',
  },
  // The server.
  {
    name: 'ramp_http_requests_total',
    type: 'counter',
    labels: ['route', 'method', 'status'],
    source: 'server',
    help: 'Requests to ramp server, by route pattern (never the path itself).',
  },
  {
    name: 'ramp_http_request_duration_seconds',
    type: 'histogram',
    labels: ['route', 'method'],
    source: 'server',
    buckets: REACTION,
    help: 'Time to answer a request (streams: to their first byte).',
  },
  {
    name: 'ramp_refusals_total',
    type: 'counter',
    labels: ['reason'],
    source: 'server',
    help: 'Requests refused (unauthenticated, forbidden, rate-limited, …).',
  },
  {
    name: 'ramp_build_info',
    type: 'gauge',
    labels: ['component', 'version', 'node'],
    source: 'process',
    help: 'Always 1: which ramp runs here (component: worker or server).',
  },
] as const satisfies readonly MetricDefinition[];

export type MetricName = (typeof METRICS)[number]['name'];

/** A metric's definition by name; throws for a name not in the catalog. */
export function metricDefinition(name: string): MetricDefinition {
  const found = METRICS.find((m) => m.name === name);
  if (!found) throw new Error(`no metric ${name} in src/observability/catalog.ts`);
  return found;
}
