/**
 * The server's one connection to Temporal, opened on first use and shared by every request. A
 * failed connection is not kept: the next request tries again. Callers get 503; why it failed
 * goes to the log (app.ts, and /readyz here).
 */
import { RampTemporal, type CliSettings } from '../cli/connection.js';
import { ApiError } from './errors.js';
import { errorEvent, type ServerLogger } from './log.js';

export class TemporalLink {
  private connecting: Promise<RampTemporal> | null = null;

  constructor(
    readonly settings: CliSettings,
    private readonly logger: ServerLogger,
  ) {}

  /** The connected client; ApiError 503 when Temporal cannot be reached. */
  async get(): Promise<RampTemporal> {
    this.connecting ??= RampTemporal.connect(this.settings).catch((error: unknown) => {
      this.connecting = null;
      throw new ApiError(503, 'ramp server cannot reach Temporal right now', { cause: error });
    });
    return this.connecting;
  }

  /** Null when Temporal answers (its namespace is described), else why not. */
  async unready(): Promise<string | null> {
    try {
      const temporal = await this.get();
      await temporal.client.withDeadline(Date.now() + this.settings.connectTimeoutMs, () =>
        temporal.client.workflowService.describeNamespace({ namespace: this.settings.namespace }),
      );
      return null;
    } catch (error) {
      const why = error instanceof ApiError ? error.cause : error;
      this.logger.error(errorEvent('not ready', why instanceof Error ? why.message : why, undefined));
      if (error instanceof ApiError) return error.message;
      return `Temporal did not answer for namespace ${this.settings.namespace}`;
    }
  }

  async close(): Promise<void> {
    const connecting = this.connecting;
    this.connecting = null;
    if (connecting) await (await connecting.catch(() => null))?.close();
  }
}
