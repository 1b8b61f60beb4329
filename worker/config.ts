/**
 * The worker's settings, read once at startup: the Temporal connection through
 * @temporalio/envconfig (src/settings/temporal.ts: TEMPORAL_* variables and config profiles,
 * TLS, mTLS, API keys) and ramp's own RAMP_* variables through their zod schema
 * (src/settings/variables.ts). Everything has a default that works against a local dev server on
 * 127.0.0.1:7233. Providers get what they need from here; none reads the environment itself.
 */
import { msToNumber, type Duration, type LogLevel } from '@temporalio/common';
import type { SecretSource } from '../src/providers/secrets.js';
import type { RepositorySpec } from '../src/schema/pipeline.js';
import { parseSettings, type Environment } from '../src/settings/parse.js';
import { loadTemporalSettings, type TemporalSettings } from '../src/settings/temporal.js';
import { workerVariables } from '../src/settings/variables.js';

export interface WorkerConfig extends TemporalSettings {
  /** RAMP_TASK_QUEUE */
  taskQueue: string;
  /** RAMP_METRICS_ADDRESS: host:port for the Prometheus /metrics endpoint; unset = no endpoint. */
  metricsAddress: string | undefined;
  /** RAMP_WORKER_HEALTH_ADDR: where /healthz and /readyz are served (docs/worker.md). */
  healthAddress: string | undefined;
  /** RAMP_LOG_LEVEL */
  logLevel: LogLevel;
  /** RAMP_LOG_FORMAT: JSON lines (the default) or the SDK's text lines (docs/worker.md#logs). */
  logFormat: 'json' | 'text';
  /** RAMP_SHUTDOWN_GRACE: how long in-flight activities get to finish on SIGTERM. */
  shutdownGraceTime: Duration;
  /** RAMP_GROUPS_FILE: approver groups (`groups: { release-managers: [alice, bob] }`). */
  groupsFile: string | undefined;
  /** RAMP_FREEZE_GROUPS: who may declare and lift a freeze; empty: anyone. */
  freezeGroups: string[];
  /** RAMP_WINDOWS_FILE: the organisation's deploy windows (docs/governance.md#deploy-windows). */
  windowsFile?: string | undefined;
  /** RAMP_POLICY_FILES: organisation-wide policy files (kind: Policies), pinned by every promotion. */
  policyFiles: string[];
  /** RAMP_DECISION_KEYS_FILE: the ramp servers' public keys (JWKS), to verify signed decisions. */
  decisionKeysFile: string | undefined;
  /** Set by `ramp dev` only (no variable): direct commands are recorded as unverified, not refused, although decisions are verified. */
  acceptUnverified?: boolean;
  /** RAMP_NOTIFY_WEBHOOKS: comma-separated URLs that receive every notification as JSON. */
  webhooks: string[];
  /** RAMP_UI_URL: the ramp server's public URL, for the links in notifications. */
  uiUrl: string | undefined;
  /** RAMP_LINK_SIGNING_KEY_FILE: the private JWK that signs e-mailed approval links. */
  linkKeyFile: string | undefined;
  /** RAMP_SLACK_API_URL: where the Slack client posts (tests: a local recorder). */
  slackApiUrl: string | undefined;
  /** RAMP_SMTP_URL, RAMP_SMTP_PASSWORD_FILE, RAMP_SMTP_FROM: e-mail notifications; undefined without RAMP_SMTP_URL. */
  smtp: { url: string; passwordFile: string | undefined; from: string } | undefined;
  /** RAMP_CACHE_DIR: where the worker keeps its clones of GitOps repositories. @default ~/.cache/ramp/repos */
  cacheDir: string;
  /** RAMP_GUARD_INTERVAL: how often each repository's history guard checks, in ms. @default 60000 */
  guardIntervalMs: number;
  /** RAMP_AUDIT_REPOSITORY (+ RAMP_AUDIT_REPOSITORY_SECRET): where organisation-wide decisions are audited; null: nowhere. */
  auditRepository: RepositorySpec | null;
  /** RAMP_KUBECONFIG: the kubeconfig for stages with a sync mode (default: KUBECONFIG, ~/.kube/config, in-cluster). */
  kubeconfig: string | undefined;
  /** RAMP_KUSTOMIZE: the kustomize binary sync mode apply renders kustomizations with (default: kustomize on PATH). */
  kustomize: string | undefined;
  /** RAMP_SECRET_<NAME> (only those variables) and RAMP_SECRETS_DIR, for Git, Prometheus and webhooks. */
  secrets: SecretSource;
}

/**
 * Reads the worker's settings from `env`. Throws a UsageError naming every invalid variable,
 * its value (never a secret's) and what is expected.
 */
export function readWorkerConfig(env: Environment = process.env): WorkerConfig {
  const variables = parseSettings(workerVariables, env);
  return {
    ...loadTemporalSettings(env),
    taskQueue: variables.RAMP_TASK_QUEUE,
    metricsAddress: variables.RAMP_METRICS_ADDRESS,
    healthAddress: variables.RAMP_WORKER_HEALTH_ADDR,
    logLevel: variables.RAMP_LOG_LEVEL,
    logFormat: variables.RAMP_LOG_FORMAT,
    // The variable is checked against DURATION (src/settings/variables.ts), the format Temporal reads.
    shutdownGraceTime: variables.RAMP_SHUTDOWN_GRACE as Duration,
    groupsFile: variables.RAMP_GROUPS_FILE,
    freezeGroups: variables.RAMP_FREEZE_GROUPS,
    windowsFile: variables.RAMP_WINDOWS_FILE,
    decisionKeysFile: variables.RAMP_DECISION_KEYS_FILE,
    policyFiles: variables.RAMP_POLICY_FILES,
    webhooks: variables.RAMP_NOTIFY_WEBHOOKS,
    uiUrl: variables.RAMP_UI_URL,
    linkKeyFile: variables.RAMP_LINK_SIGNING_KEY_FILE,
    slackApiUrl: variables.RAMP_SLACK_API_URL,
    smtp:
      variables.RAMP_SMTP_URL === undefined
        ? undefined
        : { url: variables.RAMP_SMTP_URL, passwordFile: variables.RAMP_SMTP_PASSWORD_FILE, from: variables.RAMP_SMTP_FROM },
    cacheDir: variables.RAMP_CACHE_DIR,
    guardIntervalMs: msToNumber(variables.RAMP_GUARD_INTERVAL as Duration),
    auditRepository:
      variables.RAMP_AUDIT_REPOSITORY === undefined
        ? null
        : { url: variables.RAMP_AUDIT_REPOSITORY, branch: 'main', secretRef: variables.RAMP_AUDIT_REPOSITORY_SECRET ?? null },
    kubeconfig: variables.RAMP_KUBECONFIG,
    kustomize: variables.RAMP_KUSTOMIZE,
    secrets: { env: secretVariables(env), secretsDir: variables.RAMP_SECRETS_DIR },
  };
}

/** Only the RAMP_SECRET_* variables: what the secret resolver may see. */
export function secretVariables(env: Environment): Record<string, string> {
  const secrets: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) if (name.startsWith('RAMP_SECRET_') && value !== undefined) secrets[name] = value;
  return secrets;
}
