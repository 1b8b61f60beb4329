/**
 * The server's one connection to Temporal, opened on first use and shared by every request. A
 * failed connection is not kept: the next request tries again. Why it failed goes to the log;
 * callers get 503.
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
      this.logger.error(errorEvent('cannot connect to Temporal', error, undefined));
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
      if (error instanceof ApiError) return error.message;
      this.logger.error(errorEvent('readiness check failed', error, undefined));
      return `Temporal did not answer for namespace ${this.settings.namespace}`;
    }
  }

  async close(): Promise<void> {
    const connecting = this.connecting;
    this.connecting = null;
    if (connecting) await (await connecting.catch(() => null))?.close();
  }
}
