/**
 * What the CLI's commands need from ramp, whichever way they reach it: straight to Temporal
 * (TemporalBackend, cli/temporal-backend.ts) or through `ramp server` (HttpBackend,
 * cli/http-backend.ts, when RAMP_SERVER or `--server` is set). Commands parse their flags, ask
 * the backend, and render the answer; the backend turns every failure into a UserError that says
 * what to do. The choice between the two is made here, in `withBackend`, and nowhere else.
 */
import { UsageError } from '../src/errors.js';
import { parseSettings } from '../src/settings/parse.js';
import { cliVariables } from '../src/settings/variables.js';
import type { PipelineSpec } from '../src/schema/pipeline.js';
import type { DoraReport } from '../src/dora/report.js';
import type { DriftStatus } from '../workflows/drift-messages.js';
import type { FreezeAck, FreezeRecord } from '../workflows/freeze-messages.js';
import type { GuardStatus } from '../workflows/guard-messages.js';
import type { AuditRecord } from '../src/audit/record.js';
import type { Verification } from '../src/audit/chain.js';
import type { Ack, HistoryEntry, PromotionKind, ReleaseSource } from '../workflows/messages.js';
import { envOf, type CommandIo } from './command.js';
import { cliSettings, type CliSettings } from './connection.js';
import type { Snapshot } from './follow.js';
import { HttpBackend } from './http-backend.js';
import type { PromotionRow } from './render/list.js';
import { TemporalBackend } from './temporal-backend.js';

/**
 * A pipeline as a command names it. Straight to Temporal, the CLI loads and validates its file
 * (`spec`); through the server, the server uses its own definition and `spec` is null.
 */
export interface PipelineRef {
  name: string;
  spec: PipelineSpec | null;
}

export interface StartRequest {
  pipeline: PipelineRef;
  version: string;
  kind: PromotionKind;
  /** Stage names to run (a rollback's one stage); all when omitted. */
  stages?: string[];
  /** Who asks; ignored by the server (it knows who the token belongs to). */
  requestedBy: string;
  /** The release's source commit and authors, when known (four-eyes keeps the authors from approving). */
  release?: ReleaseSource;
  /** Why (rollbacks: `--reason`), kept in the promotion's first event. */
  reason?: string;
}

/** A started promotion: exactly what `ramp promote --json` prints. */
export interface StartedPromotion {
  promotionId: string;
  runId: string;
  pipeline: string;
  version: string;
  kind: PromotionKind;
  stages: string[];
  requestedBy: string;
}

export interface ListRequest {
  all: boolean;
  pipeline: string | undefined;
  phase: string | undefined;
  limit: number;
}

export interface ListResult {
  rows: PromotionRow[];
  /** More promotions matched than `limit`. */
  truncated: boolean;
}

/** The operator commands sent to a promotion's active stage. */
export type StageVerb = 'approve' | 'reject' | 'pause' | 'resume' | 'skip' | 'window-override';

export interface StageCommandRequest {
  promotionId: string;
  /** The stage the operator named (--stage); checked against the active one when given. */
  stage: string | undefined;
  verb: StageVerb;
  actor: string;
  comment?: string;
  reason?: string;
}

/** One stage's drift watch, as `ramp drift --json` prints it. */
export interface DriftFinding {
  stage: string;
  status: DriftStatus | null;
  /** Why there is no status (nobody watches, no worker answered). */
  problem: string | null;
}

/** A freeze decision: who (ignored through the server) and why. */
export interface FreezeRequest {
  actor: string;
  reason: string;
}

/** What `ramp audit` reads: one pipeline's decisions, or every pipeline's; since an ISO-8601 time. */
export interface AuditRequest {
  pipeline: string | undefined;
  since: string | undefined;
}

/** `ramp audit verify --json`: one trail (a repository's branch ramp/audit) and what was found. */
export interface AuditTrailVerification {
  /** The repository (URL without credentials) and branch. */
  trail: string;
  /** The pipelines whose decisions it holds. */
  pipelines: string[];
  verification: Verification;
}

/** What `ramp dora` asks: the stage (undefined: the pipeline's last) and the period, ISO-8601. */
export interface DoraRequest {
  stage: string | undefined;
  since: string;
  until: string;
}

export interface RampBackend {
  /** How often --wait and --watch read the status when polling (RAMP_POLL_MS), or null for the command's default. */
  readonly pollMs: number | null;
  /**
   * The pipeline a command names. Straight to Temporal: loaded from its file (a name or a path);
   * through the server: a name only.
   */
  pipeline(nameOrPath: string): Promise<PipelineRef>;
  /** Starts a promotion or rollback; a UserError when it is already running or refused. */
  start(request: StartRequest): Promise<StartedPromotion>;
  /** The promotion's status and its active stage's. */
  snapshot(promotionId: string): Promise<Snapshot>;
  /**
   * The promotion's snapshots as it changes (possibly repeating one), from now until it
   * finished; the consumer stops early when it likes. `everyMs`: how often to poll, when polling.
   */
  snapshots(promotionId: string, everyMs: number): AsyncIterable<Snapshot>;
  list(request: ListRequest): Promise<ListResult>;
  /** approve, reject, pause, resume, skip: to the promotion's active stage. */
  stageCommand(request: StageCommandRequest): Promise<Ack>;
  /** `signal`: fire and forget where the backend can (Temporal's signal), for alert hooks. */
  abort(promotionId: string, request: { actor: string; reason: string; signal: boolean }): Promise<Ack>;
  retry(promotionId: string, actor: string): Promise<Ack>;
  history(pipeline: PipelineRef, request: { stage: string | undefined; limit: number }): Promise<HistoryEntry[]>;
  /** A stage's DORA report over [since, until) (docs/dora.md); no stage: the pipeline's last. */
  dora(pipeline: PipelineRef, request: DoraRequest): Promise<DoraReport>;
  /** What the stages' drift watches found (every watched stage, or `stage`). */
  driftReport(pipeline: PipelineRef, stage: string | undefined): Promise<DriftFinding[]>;
  driftDecision(pipeline: PipelineRef, stage: string, decision: 'accept' | 'reject', request: { actor: string; reason?: string }): Promise<Ack>;
  /** Every repository's history guard (force-push detection). */
  guards(): Promise<GuardStatus[]>;
  /** Acknowledges the rewritten history of the repository `pipeline` uses; writes resume. */
  acknowledgeGuard(pipeline: PipelineRef, request: { actor: string; reason: string }): Promise<Ack>;
  /** The audit trail's records, oldest first (docs/governance.md#audit-trail). */
  audit(request: AuditRequest): Promise<AuditRecord[]>;
  /** Whether the audit trails (of the pipeline, or of every pipeline) are intact. */
  auditVerify(pipeline: string | undefined): Promise<AuditTrailVerification[]>;
  /** Starts (or updates) the drift watches; one line each. Direct Temporal access only. */
  startDriftWatches(pipeline: PipelineRef, stage: string | undefined): Promise<string[]>;
  /** Stops the drift watches; one line each. Direct Temporal access only. */
  stopDriftWatches(pipeline: PipelineRef, stage: string | undefined, actor: string): Promise<string[]>;
  /** The organisation-wide freeze in force (state null: none) and its record. */
  freezeRecord(): Promise<FreezeRecord>;
  /** Declares a freeze; `until` null: until lifted. A UserError when refused (who may: RAMP_FREEZE_GROUPS). */
  declareFreeze(request: FreezeRequest & { until: string | null }): Promise<FreezeAck>;
  /** Lifts the freeze in force. */
  liftFreeze(request: FreezeRequest): Promise<FreezeAck>;
  /**
   * Who runs the command. Straight to Temporal: --as, else $RAMP_USER, $USER (or --as required,
   * with `requiredWhy`). Through the server, --as is refused: the server knows who you are.
   */
  actor(as: string | undefined, requiredWhy?: string): string;
  close(): Promise<void>;
}

/** The flags every command that talks to ramp accepts (parseArgs options): Temporal's. */
export { TEMPORAL_FLAGS_USAGE as BACKEND_FLAGS_USAGE, temporalFlags as backendFlags } from './connection.js';

type BackendFlags = { address?: string | undefined; namespace?: string | undefined; 'task-queue'?: string | undefined };

/** How a command will reach ramp: read once from the environment and flags (a UsageError names any invalid setting). */
export type BackendChoice = { kind: 'temporal'; settings: CliSettings } | { kind: 'server'; settings: ServerSettings };

export interface ServerSettings {
  /** RAMP_SERVER (or the global --server flag): the server's base URL. */
  url: string;
  /** RAMP_UPDATE_TIMEOUT_MS: how long one request may take. */
  timeoutMs: number;
  pollMs: number | null;
}

/**
 * RAMP_SERVER (which the global `--server URL` sets) → through the server; else straight to
 * Temporal. The one place the CLI chooses.
 */
export function chooseBackend(io: CommandIo, flags: BackendFlags): BackendChoice {
  const server = envOf(io).RAMP_SERVER?.trim();
  if (!server) return { kind: 'temporal', settings: cliSettings(io, flags) };
  const given = (['address', 'namespace', 'task-queue'] as const).filter((f) => flags[f] !== undefined);
  if (given.length > 0) {
    throw new UsageError(
      `${given.map((f) => `--${f}`).join(', ')} ${given.length > 1 ? 'are' : 'is'} for direct Temporal access, and RAMP_SERVER is set (${server}): the server talks to Temporal. Unset RAMP_SERVER to reach Temporal yourself`,
    );
  }
  // Only ramp's own variables: no Temporal settings, no dev stack.
  const variables = parseSettings(cliVariables, envOf(io));
  return { kind: 'server', settings: { url: serverUrl(server), timeoutMs: variables.RAMP_UPDATE_TIMEOUT_MS, pollMs: variables.RAMP_POLL_MS ?? null } };
}

/** The server's base URL, without a trailing slash; a UsageError when it is not an http(s) URL. */
export function serverUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`RAMP_SERVER (or --server) must be the http(s) URL of a ramp server, e.g. https://ramp.example.com, got "${text}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new UsageError(`RAMP_SERVER (or --server) must be an http(s) URL, got a ${url.protocol} URL`);
  if (url.username || url.password) throw new UsageError('RAMP_SERVER (or --server) must not carry credentials: run ramp login (or set RAMP_TOKEN)');
  return url.href.replace(/\/+$/, '');
}

/**
 * Opens the chosen backend, runs `fn`, and closes it whatever happens. Neither connects before
 * its first request: a command's own checks (its pipeline, its flags) come first.
 */
export async function withBackend<T>(io: CommandIo, choice: BackendChoice, fn: (backend: RampBackend) => Promise<T>): Promise<T> {
  const backend: RampBackend = choice.kind === 'server' ? new HttpBackend(io, choice.settings) : new TemporalBackend(io, choice.settings);
  try {
    return await fn(backend);
  } finally {
    await backend.close();
  }
}

/**
 * The global `--server URL` (or `--server=URL`), anywhere before a `--`: taken out of the
 * arguments and returned, for main to set RAMP_SERVER with.
 */
export function takeServerFlag(argv: readonly string[]): { argv: string[]; server: string | undefined } {
  const rest: string[] = [];
  let server: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      rest.push(...argv.slice(i));
      break;
    }
    if (arg === '--server') {
      const value = argv[i + 1];
      if (value === undefined || value.startsWith('-')) throw new UsageError('--server needs the URL of a ramp server, e.g. --server https://ramp.example.com');
      server = value;
      i++;
    } else if (arg.startsWith('--server=')) {
      server = arg.slice('--server='.length);
      if (server.trim() === '') throw new UsageError('--server needs the URL of a ramp server, e.g. --server https://ramp.example.com');
    } else rest.push(arg);
  }
  return { argv: rest, server };
}

/** Commands that run here, whatever RAMP_SERVER says. */
export const LOCAL_COMMANDS: readonly string[] = ['validate', 'worker', 'dev', 'server', 'token', 'login', 'logout'];
