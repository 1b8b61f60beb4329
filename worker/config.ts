// Worker configuration from the environment. Everything has a default that works against a
// local dev server on 127.0.0.1:7233.
import type { LogLevel } from '@temporalio/common';

export interface WorkerConfig {
  /** TEMPORAL_ADDRESS, host:port of the Temporal frontend. */
  address: string;
  /** TEMPORAL_NAMESPACE */
  namespace: string;
  /** RAMP_TASK_QUEUE */
  taskQueue: string;
  /** RAMP_METRICS_ADDRESS: host:port for the Prometheus /metrics endpoint; unset = no endpoint. */
  metricsAddress: string | undefined;
  /** RAMP_LOG_LEVEL */
  logLevel: LogLevel;
  /** RAMP_SHUTDOWN_GRACE: how long in-flight activities get to finish on SIGTERM. */
  shutdownGraceTime: string;
  /** RAMP_GROUPS_FILE: approver groups (`groups: { release-managers: [alice, bob] }`). */
  groupsFile: string | undefined;
  /** RAMP_NOTIFY_WEBHOOKS: comma-separated URLs that receive every notification as JSON. */
  webhooks: string[];
  /** RAMP_CACHE_DIR: where the worker keeps its clones of GitOps repositories. */
  cacheDir: string | undefined;
  /** RAMP_KUBECONFIG: the kubeconfig for stages with a sync mode (default: KUBECONFIG, ~/.kube/config, in-cluster). */
  kubeconfig: string | undefined;
  /** RAMP_KUSTOMIZE: the kustomize binary sync mode apply renders kustomizations with (default: kustomize on PATH). */
  kustomize: string | undefined;
}

const LOG_LEVELS: readonly LogLevel[] = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR'];

export function readWorkerConfig(env: NodeJS.ProcessEnv = process.env): WorkerConfig {
  const value = (name: string): string | undefined => (env[name]?.trim() ? env[name].trim() : undefined);
  const logLevel = (value('RAMP_LOG_LEVEL') ?? 'INFO').toUpperCase() as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new Error(`RAMP_LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got ${logLevel}`);
  }
  return {
    address: value('TEMPORAL_ADDRESS') ?? '127.0.0.1:7233',
    namespace: value('TEMPORAL_NAMESPACE') ?? 'default',
    taskQueue: value('RAMP_TASK_QUEUE') ?? 'ramp',
    metricsAddress: value('RAMP_METRICS_ADDRESS'),
    logLevel,
    shutdownGraceTime: value('RAMP_SHUTDOWN_GRACE') ?? '30s',
    groupsFile: value('RAMP_GROUPS_FILE'),
    webhooks: (value('RAMP_NOTIFY_WEBHOOKS') ?? '').split(',').map((u) => u.trim()).filter(Boolean),
    cacheDir: value('RAMP_CACHE_DIR'),
    kubeconfig: value('RAMP_KUBECONFIG'),
    kustomize: value('RAMP_KUSTOMIZE'),
  };
}
