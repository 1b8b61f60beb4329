/** Every activity the promotion workflows call, built from injected clients (worker/deps.ts). */
import type { Client } from '@temporalio/client';
import type { AxiosInstance } from 'axios';
import type { GitOpsRepositories } from '../src/providers/git/index.js';
import { createMetricProviders } from '../src/providers/metrics/registry.js';
import { createApprovalActivities } from './approvals.js';
import { createFreezeActivities, createFreezeReader, type FreezeActivities } from './freeze.js';
import { createAuditActivities } from './audit.js';
import type { RepositorySpec } from '../src/schema/pipeline.js';
import { createIdentityActivities } from './identity.js';
import type { RampActivities } from './contract.js';
import { createEnvironmentActivities } from './environment.js';
import { createGitActivities } from './git.js';
import { createDoraActivities } from './dora.js';
import { createJudgeActivities } from './judge.js';
import { createKubeActivities } from './kube.js';
import { createDriftActivities } from './drift.js';
import type { KubeClusters } from '../src/providers/kube/clusters.js';
import { createMetricActivities } from './metrics.js';
import { createWebhookActivities } from './webhooks.js';
import { createPolicyActivities } from './policies.js';
import { createSecretResolver, type SecretSource } from '../src/providers/secrets.js';
import { createNotifyActivities } from './notify.js';
import { createDeliveryActivities, type DeliveryDeps } from './deliver.js';
import type { NotificationActivities } from './notify-contract.js';
import { createGuardActivities, guardedRepositories, HistoryGuard, type GuardSettings } from './guard.js';
import { createWindowActivities } from './windows.js';
import type { FreezeState } from '../src/domain/freeze.js';

export interface ActivityDeps {
  repositories: GitOpsRepositories;
  client: Client;
  http: AxiosInstance;
  groupsFile: string | undefined;
  /** RAMP_FREEZE_GROUPS: who may declare and lift a freeze. @default anyone */
  freezeGroups?: readonly string[];
  /** RAMP_DECISION_KEYS_FILE: the ramp servers' public keys; unset on the local stack. */
  decisionKeysFile?: string | undefined;
  /** The dev stack's worker records direct commands as unverified even with decision keys (activities/identity.ts). */
  acceptUnverified?: boolean;
  webhooks: readonly string[];
  clusters: KubeClusters;
  /** RAMP_KUSTOMIZE: the kustomize binary for sync mode apply. */
  kustomize?: string;
  /** The worker's secrets for Prometheus headers and webhooks (worker/config.ts). @default none */
  secrets?: SecretSource;
  /** Notification channels (RAMP_UI_URL, RAMP_LINK_SIGNING_KEY_FILE, RAMP_SLACK_API_URL, RAMP_SMTP_URL and the rest: docs/notifications.md). @default none */
  notifications?: Pick<DeliveryDeps, 'uiUrl' | 'linkKeyFile' | 'slackApiUrl' | 'smtp' | 'slack'>;
  /**
   * The history guard (RAMP_GUARD_INTERVAL; docs/governance.md#history-guard): ramp's writes are refused
   * while a repository's guard found a rewrite nobody acknowledged, and each push starts or feeds
   * the repository's guard. @default off (the worker always passes it)
   */
  guard?: GuardSettings;
  /** RAMP_WINDOWS_FILE: the organisation's deploy windows (docs/governance.md#deploy-windows). @default none */
  windowsFile?: string | undefined;
  /** The organisation's freeze. @default the `ramp-freeze` workflow's `freezeState` query */
  readFreeze?: () => Promise<FreezeState | null>;
  /** Where organisation-wide decisions (freezes) are audited; unset: only in their workflow's record (docs/governance.md#audit-trail). */
  auditRepository?: RepositorySpec | null;
  /** RAMP_POLICY_FILES: the organisation's policy files (docs/governance.md). @default none */
  policyFiles?: readonly string[];
}

export function createActivities(deps: ActivityDeps): RampActivities & NotificationActivities & FreezeActivities {
  const secrets = createSecretResolver(deps.secrets ?? { env: {} });
  const providers = createMetricProviders({ http: deps.http, secrets });
  const repositories = deps.guard ? guardedRepositories(deps.repositories, new HistoryGuard(deps.client, deps.guard)) : deps.repositories;
  return {
    ...createGitActivities({ repositories }),
    ...createDoraActivities({ repositories }),
    ...createGuardActivities({ repositories: deps.repositories }),
    ...createApprovalActivities({ groupsFile: deps.groupsFile }),
    ...createFreezeActivities({ groupsFile: deps.groupsFile, freezeGroups: deps.freezeGroups ?? [] }),
    ...createIdentityActivities({ decisionKeysFile: deps.decisionKeysFile, acceptUnverified: deps.acceptUnverified ?? false }),
    ...createEnvironmentActivities({ client: deps.client }),
    ...createNotifyActivities({ client: deps.client }),
    ...createDeliveryActivities({
      client: deps.client,
      http: deps.http,
      secrets,
      secretsDir: deps.secrets?.secretsDir ?? deps.secrets?.env.RAMP_SECRETS_DIR,
      webhooks: deps.webhooks,
      ...deps.notifications,
    }),
    ...createMetricActivities({ providers }),
    ...createJudgeActivities({ providers }),
    ...createKubeActivities({ repositories: deps.repositories, clusters: deps.clusters, kustomize: deps.kustomize }),
    ...createDriftActivities({ repositories, clusters: deps.clusters, kustomize: deps.kustomize, client: deps.client }),
    ...createWebhookActivities({ http: deps.http, secrets }),
    ...createWindowActivities({ windowsFile: deps.windowsFile, readFreeze: deps.readFreeze ?? readFreezeOf(deps.client) }),
    ...createAuditActivities({ repositories, auditRepository: deps.auditRepository ?? null }),
    ...createPolicyActivities({ repositories: deps.repositories, policyFiles: deps.policyFiles ?? [] }),
  } satisfies RampActivities & NotificationActivities & FreezeActivities;
}

/** The freeze of the task queue each window check runs on (activities/freeze.ts). */
function readFreezeOf(client: Client): () => Promise<FreezeState | null> {
  const reader = createFreezeReader(client);
  return () => reader.readFreeze();
}
