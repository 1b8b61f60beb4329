/**
 * The CLI through `ramp server` (RAMP_SERVER or `--server URL`): every command is one request to
 * the server's `/api/v1`, which answers with the same JSON the commands print with `--json`, so
 * the commands render it exactly as they render Temporal's. The server knows who you are (your
 * bearer token), uses its own pipeline definitions, and has the last word on permissions.
 *
 * `--wait` and `--watch` read the promotion's Server-Sent Events (`event: status` with the
 * status JSON on each change, `event: end` when it finished), reconnecting when the stream
 * drops; see cli/sse.ts.
 *
 * Errors: the server's `{ error, message, hint }` becomes a UserError (exit 1) with its message
 * and hint; 401 says to log in; a server that cannot be reached says so with its URL. The token
 * is never printed.
 */
import { GENERIC_HINTS } from '../server/errors.js';
import { loadCredentials } from './credentials.js';
import { setTimeout as sleep } from 'node:timers/promises';
import { UsageError, UserError } from '../src/errors.js';
import type { FreezeAck, FreezeRecord } from '../workflows/freeze-messages.js';
import type { GuardStatus } from '../workflows/guard-messages.js';
import type { Ack, HistoryEntry } from '../workflows/messages.js';
import { activeStageFor } from './active-stage.js';
import type { DoraReport } from '../src/dora/report.js';
import type {
  DoraRequest,
  AuditRequest,
  AuditTrailVerification,
  DriftFinding,
  FreezeRequest,
  ListRequest,
  ListResult,
  PipelineRef,
  RampBackend,
  ServerSettings,
  StageCommandRequest,
  StartRequest,
  StartedPromotion,
} from './backend.js';
import type { AuditRecord } from '../src/audit/record.js';
import { envOf, type CommandIo } from './command.js';
import { innermostMessage, seconds } from './connection.js';
import type { Snapshot } from './follow.js';
import { isPath } from './pipelines.js';
import type { PromotionRow } from './render/list.js';
import { readSse } from './sse.js';
import { rampVersion } from './version.js';

/** How long reading a pipeline's history may take through the server (a first clone is slow). */
const HISTORY_TIMEOUT_MS = 120_000;
/** How long reading or verifying the audit trails may take through the server. */
const AUDIT_TIMEOUT_MS = 300_000;
/** How many times in a row --wait and --watch reconnect to a status stream that dropped. */
const STREAM_RECONNECTS = 5;

type Json = Record<string, unknown>;

export class HttpBackend implements RampBackend {
  private token: Promise<string | null> | null = null;

  constructor(
    private readonly io: CommandIo,
    readonly settings: ServerSettings,
  ) {}

  get pollMs(): number | null {
    return this.settings.pollMs;
  }

  async close(): Promise<void> {
    // nothing held open between requests
  }

  actor(as: string | undefined): string {
    if (as !== undefined) {
      throw new UsageError(
        `--as is not accepted through ramp server (RAMP_SERVER=${this.settings.url}): the server records who you are from your login. Drop --as (ramp login to log in as someone else)`,
      );
    }
    return ''; // the server knows
  }

  pipeline(nameOrPath: string): Promise<PipelineRef> {
    if (isPath(nameOrPath)) {
      return Promise.reject(
        new UsageError(
          `through ramp server (RAMP_SERVER=${this.settings.url}) a pipeline is named, not a file: the server uses its own pipeline definitions. Give the pipeline's name instead of ${nameOrPath}`,
        ),
      );
    }
    return Promise.resolve({ name: nameOrPath, spec: null });
  }

  async start(request: StartRequest): Promise<StartedPromotion> {
    const body = {
      pipeline: request.pipeline.name,
      version: request.version,
      ...(request.stages ? { stages: request.stages } : {}),
      ...(request.release ? { release: request.release } : {}),
      ...(request.reason ? { reason: request.reason } : {}),
    };
    const path = request.kind === 'rollback' ? '/api/v1/rollbacks' : '/api/v1/promotions';
    return this.request<StartedPromotion>('POST', path, body);
  }

  snapshot(promotionId: string): Promise<Snapshot> {
    return this.request<Snapshot>('GET', `/api/v1/promotions/${segment(promotionId)}`);
  }

  /** The promotion's status events; after `end`, its final status. Reconnects when the stream drops. */
  async *snapshots(promotionId: string, everyMs: number): AsyncIterable<Snapshot> {
    let drops = 0;
    for (;;) {
      let ended = false;
      const response = await this.open('GET', `/api/v1/promotions/${segment(promotionId)}/events`, undefined, { stream: true });
      if (!response.body) throw new UserError(`ramp server at ${this.settings.url} sent no status stream for ${promotionId}; see ramp status ${promotionId}`);
      for await (const event of readSse(response.body)) {
        if (event.event === 'status') {
          drops = 0;
          yield parseJson<Snapshot>(event.data, `the status stream of ${promotionId}`, this.settings.url);
        } else if (event.event === 'end') {
          ended = true;
          break;
        }
      }
      if (ended) {
        yield await this.snapshot(promotionId);
        return;
      }
      if (++drops > STREAM_RECONNECTS) {
        throw new UserError(`the status stream of ${promotionId} from ramp server at ${this.settings.url} kept dropping; see ramp status ${promotionId}`);
      }
      await sleep(everyMs);
    }
  }

  async list(request: ListRequest): Promise<ListResult> {
    const query = new URLSearchParams({
      ...(request.pipeline !== undefined ? { pipeline: request.pipeline } : {}),
      ...(request.all ? { all: 'true' } : {}),
      ...(request.phase !== undefined ? { phase: request.phase } : {}),
      limit: String(request.limit + 1),
    });
    const rows = await this.request<PromotionRow[]>('GET', `/api/v1/promotions?${query.toString()}`);
    // The same selection as straight from Temporal, whether or not the server applied it.
    const wanted = rows.filter(
      (r) =>
        (request.all || r.closedAt === null) &&
        (request.pipeline === undefined || r.id.startsWith(`${request.pipeline}@`)) &&
        (request.phase === undefined || r.phase.toLowerCase() === request.phase.toLowerCase()),
    );
    return { rows: wanted.slice(0, request.limit), truncated: wanted.length > request.limit };
  }

  async stageCommand(request: StageCommandRequest): Promise<Ack> {
    const { promotionId, verb } = request;
    const { promotion } = await this.snapshot(promotionId);
    const active = activeStageFor(promotionId, promotion, request.stage, verb);
    const body = {
      ...(request.comment !== undefined ? { comment: request.comment } : {}),
      ...(request.reason !== undefined ? { reason: request.reason } : {}),
    };
    return this.request<Ack>('POST', `/api/v1/promotions/${segment(promotionId)}/stages/${segment(active.name)}/${verb}`, body);
  }

  /** `signal` has no meaning here: the server sends the abort and answers. */
  abort(promotionId: string, request: { reason: string }): Promise<Ack> {
    return this.request<Ack>('POST', `/api/v1/promotions/${segment(promotionId)}/abort`, { reason: request.reason });
  }

  retry(promotionId: string): Promise<Ack> {
    return this.request<Ack>('POST', `/api/v1/promotions/${segment(promotionId)}/retry`, {});
  }

  history(pipeline: PipelineRef, request: { stage: string | undefined; limit: number }): Promise<HistoryEntry[]> {
    const query = new URLSearchParams({ ...(request.stage !== undefined ? { stage: request.stage } : {}), limit: String(request.limit) });
    return this.request<HistoryEntry[]>('GET', `/api/v1/pipelines/${segment(pipeline.name)}/history?${query.toString()}`, undefined, {
      timeoutMs: Math.max(HISTORY_TIMEOUT_MS, this.settings.timeoutMs),
    });
  }

  dora(pipeline: PipelineRef, request: DoraRequest): Promise<DoraReport> {
    const query = new URLSearchParams({ ...(request.stage !== undefined ? { stage: request.stage } : {}), since: request.since, until: request.until });
    return this.request<DoraReport>('GET', `/api/v1/pipelines/${segment(pipeline.name)}/dora?${query.toString()}`, undefined, {
      timeoutMs: Math.max(HISTORY_TIMEOUT_MS, this.settings.timeoutMs),
    });
  }

  /** GET /api/v1/audit: JSON lines, one record each. */
  async audit(request: AuditRequest): Promise<AuditRecord[]> {
    const query = new URLSearchParams({
      ...(request.pipeline !== undefined ? { pipeline: request.pipeline } : {}),
      ...(request.since !== undefined ? { since: request.since } : {}),
    });
    const response = await this.open('GET', `/api/v1/audit?${query.toString()}`, undefined, { timeoutMs: Math.max(AUDIT_TIMEOUT_MS, this.settings.timeoutMs) });
    const text = await response.text();
    return text
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => parseJson<AuditRecord>(line, 'the audit trail', this.settings.url));
  }

  auditVerify(pipeline: string | undefined): Promise<AuditTrailVerification[]> {
    const query = pipeline === undefined ? '' : `?${new URLSearchParams({ pipeline }).toString()}`;
    return this.request<AuditTrailVerification[]>('GET', `/api/v1/audit/verify${query}`, undefined, {
      timeoutMs: Math.max(AUDIT_TIMEOUT_MS, this.settings.timeoutMs),
    });
  }

  driftReport(pipeline: PipelineRef, stage: string | undefined): Promise<DriftFinding[]> {
    const query = stage === undefined ? '' : `?${new URLSearchParams({ stage }).toString()}`;
    return this.request<DriftFinding[]>('GET', `/api/v1/pipelines/${segment(pipeline.name)}/drift${query}`);
  }

  driftDecision(pipeline: PipelineRef, stage: string, decision: 'accept' | 'reject', request: { reason?: string }): Promise<Ack> {
    const body = request.reason !== undefined ? { reason: request.reason } : {};
    return this.request<Ack>('POST', `/api/v1/pipelines/${segment(pipeline.name)}/stages/${segment(stage)}/drift/${decision}`, body);
  }

  freezeRecord(): Promise<FreezeRecord> {
    return this.request<FreezeRecord>('GET', '/api/v1/freeze');
  }

  declareFreeze(request: FreezeRequest & { until: string | null }): Promise<FreezeAck> {
    return this.request<FreezeAck>('POST', '/api/v1/freeze', { reason: request.reason, ...(request.until !== null ? { until: request.until } : {}) });
  }

  liftFreeze(request: FreezeRequest): Promise<FreezeAck> {
    return this.request<FreezeAck>('POST', '/api/v1/freeze/lift', { reason: request.reason });
  }

  guards(): Promise<GuardStatus[]> {
    return this.request<GuardStatus[]>('GET', '/api/v1/guard');
  }

  acknowledgeGuard(pipeline: PipelineRef, request: { reason: string }): Promise<Ack> {
    return this.request<Ack>('POST', '/api/v1/guard/ack', { pipeline: pipeline.name, reason: request.reason });
  }

  startDriftWatches(): Promise<string[]> {
    return Promise.reject(this.notThroughServer('ramp drift --watch'));
  }

  stopDriftWatches(): Promise<string[]> {
    return Promise.reject(this.notThroughServer('ramp drift --stop'));
  }

  private notThroughServer(what: string): UserError {
    return new UserError(
      `${what} is not available through ramp server (RAMP_SERVER=${this.settings.url}): it is an administrator's command, run with direct Temporal access (unset RAMP_SERVER). A stage's drift watch also starts after each promotion of it`,
    );
  }

  /** One JSON request; its answer, or a UserError that says why not. */
  private async request<T>(method: string, path: string, body?: Json, options: { timeoutMs?: number } = {}): Promise<T> {
    const response = await this.open(method, path, body, options);
    const text = await response.text().catch((error: unknown) => {
      throw unreachable(this.settings.url, error, options.timeoutMs ?? this.settings.timeoutMs);
    });
    return parseJson<T>(text, `${method} ${path}`, this.settings.url);
  }

  /**
   * Sends the request with the user's token and returns a 2xx response, under the deadline
   * (RAMP_UPDATE_TIMEOUT_MS).
   */
  private async open(method: string, path: string, body: Json | undefined, options: { timeoutMs?: number; stream?: boolean }): Promise<Response> {
    const timeoutMs = options.timeoutMs ?? this.settings.timeoutMs;
    const token = await (this.token ??= bearerToken(envOf(this.io)));
    const headers: Record<string, string> = {
      accept: options.stream ? 'text/event-stream' : 'application/json',
      'user-agent': `ramp-cli/${rampVersion()}`,
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    };
    // A stream's deadline ends with its headers; a request's covers its body too.
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new DOMException('timed out', 'TimeoutError')), timeoutMs);
    let response: Response;
    try {
      response = await fetch(`${this.settings.url}${path}`, {
        method,
        headers,
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        signal: options.stream ? controller.signal : AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      throw unreachable(this.settings.url, error, timeoutMs);
    } finally {
      clearTimeout(timer);
    }
    if (!response.ok) throw await refusal(response, this.settings.url);
    return response;
  }
}

/** A path segment: a promotion id (web@1.4.2:rollback:production) or a name, escaped. */
function segment(value: string): string {
  return encodeURIComponent(value);
}

function parseJson<T>(text: string, what: string, url: string): T {
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new UserError(`ramp server at ${url} answered ${what} with something other than JSON (${snippet(text)}); is RAMP_SERVER a ramp server?`);
  }
}

function snippet(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat === '' ? 'an empty body' : JSON.stringify(flat.length > 120 ? `${flat.slice(0, 120)}…` : flat);
}

/** The server's refusal (`{ error, message, hint }`) as a UserError. */
export async function refusal(response: Response, url: string): Promise<UserError> {
  const text = await response.text().catch(() => '');
  let body: { error?: unknown; message?: unknown; hint?: unknown } | null = null;
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed !== null && typeof parsed === 'object') body = parsed;
  } catch {
    body = null;
  }
  const message = typeof body?.message === 'string' && body.message.trim() !== '' ? body.message.trim() : null;
  // A status's generic hint speaks of the HTTP API; the CLI prints the message as it does straight from Temporal.
  const generic = (GENERIC_HINTS as Readonly<Record<number, string>>)[response.status];
  const hint = typeof body?.hint === 'string' && body.hint.trim() !== '' && body.hint !== generic ? body.hint.trim() : null;
  if (response.status === 401) {
    return new UserError(`not logged in or the token expired: run ramp login${message ? ` (ramp server at ${url}: ${message})` : ''}`);
  }
  if (message) return new UserError(hint ? `${message}; ${hint}` : withRetryAfter(message, response));
  return new UserError(withRetryAfter(`ramp server at ${url} answered ${response.status} ${response.statusText} (${snippet(text)})`, response));
}

function withRetryAfter(message: string, response: Response): string {
  const after = response.headers.get('retry-after');
  return response.status === 429 && after ? `${message}; try again in ${after} s` : message;
}

/** A request that got no answer: no server there, a name that does not resolve, a timeout. */
export function unreachable(url: string, error: unknown, timeoutMs: number): UserError {
  const named = (name: string) => {
    for (let e = error; e instanceof Error || e instanceof DOMException; e = (e as Error).cause) if (e.name === name) return true;
    return false;
  };
  if (named('TimeoutError') || named('AbortError')) {
    return new UserError(
      `ramp server at ${url} did not answer within ${seconds(timeoutMs)}: check that it runs (${url}/healthz), or raise RAMP_UPDATE_TIMEOUT_MS`,
    );
  }
  const code = codeOf(error);
  const where = 'start one (ramp server) or point RAMP_SERVER (or --server) at one';
  if (code === 'ECONNREFUSED') return new UserError(`no ramp server at ${url}: connection refused; ${where}`);
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN')
    return new UserError(`no ramp server at ${url}: its host name does not resolve; check RAMP_SERVER (or --server)`);
  if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET')
    return new UserError(`ramp server at ${url} closed the connection (${innermostMessage(error)}); try again, or check its log`);
  return new UserError(`cannot reach ramp server at ${url}: ${innermostMessage(error)}${code ? ` (${code})` : ''}`);
}

/** The system error code (ECONNREFUSED, ...) anywhere in the cause chain (undici wraps it). */
function codeOf(error: unknown): string | null {
  for (let e = error; e instanceof Error; e = e.cause) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    const errors = (e as { errors?: unknown }).errors; // AggregateError: one per address tried
    if (Array.isArray(errors) && errors.length > 0) return codeOf(errors[0]);
  }
  return null;
}

/**
 * The bearer token for the server: $RAMP_TOKEN (automation: a service token), else the
 * credentials `ramp login` stored (cli/credentials.ts `loadCredentials`, which refreshes an
 * expired token), else none (the server then answers 401, and the CLI says to log in).
 */
export async function bearerToken(env: Readonly<Record<string, string | undefined>>): Promise<string | null> {
  const token = env.RAMP_TOKEN?.trim();
  if (token) return token;
  return (await loadCredentials({ env }))?.accessToken ?? null;
}
