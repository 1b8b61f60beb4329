import { randomUUID } from 'node:crypto';
/**
 * The CLI's Temporal client: settings from the environment and flags, one connection per
 * command, and the one place where Temporal's errors become messages a person can act on.
 * Every update and query runs under a deadline, so a missing worker is an error, not a hang.
 */
import {
  Client,
  Connection,
  NamespaceNotFoundError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  WorkflowUpdateRPCTimeoutOrCancelledError,
  isGrpcDeadlineError,
  isGrpcServiceError,
  type WorkflowExecutionDescription,
} from '@temporalio/client';
import { userInfo } from 'node:os';
import type { QueryDefinition, UpdateDefinition } from '@temporalio/common';
import { UsageError, UserError } from '../src/errors.js';
import { promotionStatusQuery, stageStatusQuery, type PromotionStatus, type StageStatus } from '../workflows/messages.js';
import { promotionOutcome } from '../workflows/promotion-outcome.js';
import { envOf, type CommandIo } from './command.js';
import { addressOrDevStack } from './dev-stack.js';
import { closableRetry, type ClosableRetry } from './closable-retry.js';
import { explainConnectionFailure } from '../src/settings/diagnose.js';
import { parseSettings } from '../src/settings/parse.js';
import { loadTemporalSettings, type TemporalSettings } from '../src/settings/temporal.js';
import { cliVariables } from '../src/settings/variables.js';

/**
 * Where and how the CLI talks to Temporal. Compiled once per command by `cliSettings`: the
 * connection from @temporalio/envconfig (TEMPORAL_* variables, the config file's profile; see
 * src/settings/temporal.ts), the rest from ramp's variables (src/settings/variables.ts).
 */
export interface CliSettings extends TemporalSettings {
  /** RAMP_TASK_QUEUE or --task-queue: where workers of ramp poll. @default ramp */
  taskQueue: string;
  /** RAMP_UPDATE_TIMEOUT_MS: how long an update or query waits for a worker. @default 10000 */
  updateTimeoutMs: number;
  /** RAMP_CONNECT_TIMEOUT_MS: how long to wait for the server. @default 5000 */
  connectTimeoutMs: number;
  /** RAMP_POLL_MS: how often `--wait` and `--watch` read the status. @default 500 (--wait), 1000 (--watch) */
  pollMs: number | null;
}

/** The flags every Temporal command accepts (parseArgs options). */
export const temporalFlags = {
  address: { type: 'string' },
  namespace: { type: 'string' },
  'task-queue': { type: 'string' },
} as const;

export const TEMPORAL_FLAGS_USAGE = `  --address HOST:PORT   Temporal frontend (default $TEMPORAL_ADDRESS, the config profile's, or 127.0.0.1:7233)
  --namespace NS        Temporal namespace (default $TEMPORAL_NAMESPACE, the config profile's, or default)
  --task-queue Q        ramp's task queue (default $RAMP_TASK_QUEUE or ramp)
  TLS, mTLS and API keys: TEMPORAL_TLS*, TEMPORAL_API_KEY, TEMPORAL_PROFILE (docs/settings.md)`;

/** Reads the settings once; a UsageError names any invalid variable. */
export function cliSettings(
  io: CommandIo,
  flags: { address?: string | undefined; namespace?: string | undefined; 'task-queue'?: string | undefined },
): CliSettings {
  const env = envOf(io);
  const variables = parseSettings(cliVariables, env);
  return {
    ...loadTemporalSettings(env, { address: devStackAddress(io, flags.address), namespace: flags.namespace }),
    taskQueue: flags['task-queue'] ?? variables.RAMP_TASK_QUEUE,
    updateTimeoutMs: variables.RAMP_UPDATE_TIMEOUT_MS,
    connectTimeoutMs: variables.RAMP_CONNECT_TIMEOUT_MS,
    pollMs: variables.RAMP_POLL_MS ?? null,
  };
}

/**
 * The address to use instead of envconfig's: --address, else the running dev stack's when the
 * command was told no Temporal at all (no TEMPORAL_ADDRESS, profile or config file).
 */
function devStackAddress(io: CommandIo, flag: string | undefined): string | undefined {
  const env = envOf(io);
  const set = (name: string): string | undefined => env[name]?.trim() || undefined;
  const given = flag ?? set('TEMPORAL_ADDRESS') ?? ((set('TEMPORAL_PROFILE') ?? set('TEMPORAL_CONFIG_FILE')) ? '(a Temporal config profile)' : undefined);
  const address = addressOrDevStack(io, given);
  return address === '(a Temporal config profile)' ? undefined : (flag ?? (given === undefined ? address : undefined));
}

/** Who is running the command: --as, else $RAMP_USER, else $USER, else the OS account. */
export function actorOf(io: CommandIo, as: string | undefined): string {
  const env = envOf(io);
  const actor = (as ?? env.RAMP_USER ?? env.USER ?? osUser()).trim();
  if (actor === '') throw new UsageError('say who you are with --as USER (or set RAMP_USER)');
  return actor;
}

function osUser(): string {
  try {
    return userInfo().username;
  } catch {
    return ''; // no account name (some containers): --as is needed
  }
}

/** What a workflow id names, for messages. */
export type Target =
  | { kind: 'promotion'; id: string }
  | { kind: 'stage'; id: string; stage: string; promotionId: string }
  | { kind: 'drift'; id: string; stage: string; pipeline: string };

/** A connected client plus the CLI's rules for talking through it. Close it when done. */
export class RampTemporal {
  private constructor(
    readonly client: Client,
    readonly settings: CliSettings,
    private readonly connection: Connection,
    private readonly retry: ClosableRetry,
  ) {}

  static async connect(settings: CliSettings): Promise<RampTemporal> {
    // lazy + ensureConnected rather than connect: a failed connection is closed here, or its
    // channel would keep the process alive (a TLS handshake with a silent server never ends).
    const retry = closableRetry();
    const connection = Connection.lazy({
      ...settings.connection,
      address: settings.address,
      connectTimeout: settings.connectTimeoutMs,
      interceptors: [retry.interceptor],
    });
    try {
      await connection.ensureConnected();
    } catch (error) {
      await connection.close().catch(() => {});
      throw new UserError(await explainConnectionFailure(settings, error));
    }
    return new RampTemporal(new Client({ connection, namespace: settings.namespace }), settings, connection, retry);
  }

  /** Closes the connection once no retry of a failed call can fire after it (closable-retry.ts). */
  async close(): Promise<void> {
    await this.retry.quiesce();
    await this.connection.close();
  }

  /** Runs `fn` under the update deadline. */
  private deadline<T>(fn: () => Promise<T>): Promise<T> {
    return this.client.withDeadline(Date.now() + this.settings.updateTimeoutMs, fn);
  }

  async query<T>(target: Target, query: QueryDefinition<T, []>): Promise<T> {
    try {
      return await this.deadline(() => this.client.workflow.getHandle(target.id).query(query));
    } catch (error) {
      throw await this.explain(error, target);
    }
  }

  /**
   * Sends an update and waits for its result (every operator update of ramp takes one argument).
   * An update that reaches a run just as it continues as new is aborted by the server without
   * running; it is sent again, to the new run.
   */
  async update<Ret, Arg>(target: Target, update: UpdateDefinition<Ret, [Arg]>, arg: Arg, updateId: string = randomUUID()): Promise<Ret> {
    try {
      // One update id for every attempt: the server answers a repeat with the first outcome.
      // `ramp server` passes its signed decision's id, so a repeated decision is a duplicate.
      return await retryAcrossContinueAsNew(() =>
        this.deadline(() => this.client.workflow.getHandle(target.id).executeUpdate(update, { args: [arg], updateId })),
      );
    } catch (error) {
      throw await this.explain(error, target);
    }
  }

  /**
   * The promotion's status: a query while it runs; once it ended, its result (Succeeded) or the
   * status its PromotionAborted failure carries (no worker needed). A promotion that ended
   * otherwise (terminated, failed unexpectedly, timed out) is a UserError saying how it ended.
   */
  async promotionStatus(id: string): Promise<PromotionStatus> {
    const target: Target = { kind: 'promotion', id };
    const info = await this.describe(target);
    if (info.status.name === 'RUNNING') return this.query(target, promotionStatusQuery);
    try {
      return await this.finalStatus(id);
    } catch (error) {
      if (error instanceof UserError) throw error;
      throw new UserError(
        `promotion ${id} ended without finishing (${info.status.name.toLowerCase()}: ${innermostMessage(error)}); a stage it was running was cancelled and rolls back`,
      );
    }
  }

  /**
   * Fails at once when no worker has polled the task queue lately (Temporal lists pollers seen
   * in the last minutes), for commands that would otherwise wait on a result for long.
   */
  async requireWorker(): Promise<void> {
    const { taskQueue, namespace } = this.settings;
    let pollers = 1;
    try {
      const response = await this.client.withDeadline(Date.now() + this.settings.updateTimeoutMs, () =>
        this.client.workflowService.describeTaskQueue({ namespace, taskQueue: { name: taskQueue }, taskQueueType: TASK_QUEUE_TYPE_WORKFLOW }),
      );
      pollers = response.pollers?.length ?? 0;
    } catch (error) {
      throw await this.explain(error, { kind: 'promotion', id: '(task queue)' });
    }
    if (pollers === 0) throw new UserError(`no worker polls task queue ${taskQueue}; start one with \`ramp worker\``);
  }

  /** The live status of a promotion's active stage; null when its workflow is gone. */
  async stageStatus(active: { name: string; workflowId: string }, promotionId: string): Promise<StageStatus | null> {
    try {
      return await this.deadline(() => this.client.workflow.getHandle(active.workflowId).query(stageStatusQuery));
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) return null;
      throw await this.explain(error, { kind: 'stage', id: active.workflowId, stage: active.name, promotionId });
    }
  }

  async describe(target: Target): Promise<WorkflowExecutionDescription> {
    try {
      return await this.client.workflow.getHandle(target.id).describe();
    } catch (error) {
      throw await this.explain(error, target);
    }
  }

  /** The final status of a promotion that ended: its result, or the status its PromotionAborted failure carries. */
  async finalStatus(id: string): Promise<PromotionStatus> {
    try {
      return await promotionOutcome(this.client.workflow.getHandle(id).result() as Promise<PromotionStatus>);
    } catch (error) {
      throw await this.explain(error, { kind: 'promotion', id });
    }
  }

  /**
   * Turns Temporal's errors into UserErrors that say what happened and what to do; returns
   * anything else unchanged (a bug, reported as such by cli/main.ts). The UserError keeps the
   * Temporal error as its `cause` (`ramp server` picks its HTTP status from it).
   */
  async explain(error: unknown, target: Target): Promise<unknown> {
    const explained = await this.explainWhy(error, target);
    if (explained !== error && explained instanceof Error && explained.cause === undefined) explained.cause = error;
    return explained;
  }

  private async explainWhy(error: unknown, target: Target): Promise<unknown> {
    if (error instanceof UserError || error instanceof UsageError) return error;
    if (error instanceof WorkflowUpdateFailedError) {
      return new UserError(error.cause?.message ?? error.message);
    }
    if (error instanceof WorkflowUpdateRPCTimeoutOrCancelledError || isGrpcDeadlineError(error)) {
      const queue = await this.taskQueueOf(target.id);
      return new UserError(`no worker answered on task queue ${queue} within ${seconds(this.settings.updateTimeoutMs)}; start one with \`ramp worker\``);
    }
    if (error instanceof NamespaceNotFoundError) {
      return new UserError(
        `namespace ${this.settings.namespace} does not exist on Temporal at ${this.settings.address}; set TEMPORAL_NAMESPACE (or --namespace)`,
      );
    }
    if (error instanceof WorkflowNotFoundError) return this.notFound(target);
    if (isUnavailable(error)) {
      return new UserError(await explainConnectionFailure(this.settings, error));
    }
    // Any other refusal by the server of a query or update to a workflow no worker serves (e.g.
    // its first workflow task never ran): say that, rather than reporting a bug.
    if (hasGrpcCause(error) && (await this.pollersOf(target.id)) === 0) {
      const queue = await this.taskQueueOf(target.id);
      return new UserError(`no worker answered on task queue ${queue} (${innermostMessage(error)}); start one with \`ramp worker\``);
    }
    return error;
  }

  /** Workers polling the workflow's task queue lately, or -1 when unknown. */
  private async pollersOf(id: string): Promise<number> {
    try {
      const queue = await this.taskQueueOf(id);
      const response = await this.client.withDeadline(Date.now() + 2_000, () =>
        this.client.workflowService.describeTaskQueue({
          namespace: this.settings.namespace,
          taskQueue: { name: queue },
          taskQueueType: TASK_QUEUE_TYPE_WORKFLOW,
        }),
      );
      return response.pollers?.length ?? 0;
    } catch {
      return -1;
    }
  }

  /** Not found: never started, or (for updates) already closed. */
  private async notFound(target: Target): Promise<UserError> {
    let info: WorkflowExecutionDescription | null = null;
    try {
      info = await this.client.withDeadline(Date.now() + this.settings.updateTimeoutMs, () => this.client.workflow.getHandle(target.id).describe());
    } catch {
      info = null;
    }
    if (target.kind === 'stage') {
      return new UserError(`stage ${target.stage} of ${target.promotionId} is no longer running; see ramp status ${target.promotionId}`);
    }
    if (target.kind === 'drift') {
      return new UserError(
        `nobody watches ${target.pipeline}/${target.stage} for drift${info ? ` (the watch ${info.status.name.toLowerCase()})` : ''}: a watch starts after the stage's next promotion, or with ramp drift ${target.pipeline} --stage ${target.stage} --watch`,
      );
    }
    if (info === null) return new UserError(`no promotion ${target.id}; see ramp list`);
    let phase: string = info.status.name.toLowerCase();
    if (info.status.name === 'COMPLETED' || info.status.name === 'FAILED') {
      try {
        const status = await promotionOutcome(this.client.workflow.getHandle(target.id).result() as Promise<PromotionStatus>);
        phase = `${status.phase}: ${status.message}`;
      } catch {
        // keep the execution status
      }
    }
    return new UserError(`promotion ${target.id} has already finished (${phase}); see ramp status ${target.id}`);
  }

  private async taskQueueOf(id: string): Promise<string> {
    try {
      const info = await this.client.withDeadline(Date.now() + 2_000, () => this.client.workflow.getHandle(id).describe());
      return info.taskQueue;
    } catch {
      return this.settings.taskQueue;
    }
  }
}

/** Connects, runs `fn`, and closes the connection whatever happens. */
export async function withTemporal<T>(settings: CliSettings, fn: (temporal: RampTemporal) => Promise<T>): Promise<T> {
  const temporal = await RampTemporal.connect(settings);
  try {
    return await fn(temporal);
  } finally {
    await temporal.close();
  }
}

/** temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW (@temporalio/proto is not a direct dependency). */
const TASK_QUEUE_TYPE_WORKFLOW = 1;

/** grpc.status.UNAVAILABLE (@grpc/grpc-js is not a direct dependency). */
const GRPC_UNAVAILABLE = 14;

/** A gRPC error from the server anywhere in the cause chain. */
function hasGrpcCause(error: unknown): boolean {
  for (let e = error; e instanceof Error; e = e.cause) if (isGrpcServiceError(e)) return true;
  return false;
}

/** gRPC UNAVAILABLE anywhere in the cause chain: the server went away mid-command. */
function isUnavailable(error: unknown): boolean {
  for (let e = error; e instanceof Error; e = e.cause) {
    if (isGrpcServiceError(e) && Number(e.code) === GRPC_UNAVAILABLE) return true;
  }
  return false;
}

/** The innermost message of a chain of causes (a workflow failure's reason). */
/**
 * Runs `send` again (at most 3 times in all) when the server aborted the update because the run
 * it reached closed by continuing as new: the update never ran, and the new run takes it.
 */
export async function retryAcrossContinueAsNew<T>(send: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await send();
    } catch (error) {
      if (attempt >= 3 || !/aborted by closing workflow|workflow execution already completed/.test(innermostMessage(error))) throw error;
    }
  }
}

export function innermostMessage(error: unknown): string {
  let current = error;
  while (current instanceof Error && current.cause instanceof Error) current = current.cause;
  return current instanceof Error ? current.message : String(current);
}

export function seconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(1))} s`;
}
