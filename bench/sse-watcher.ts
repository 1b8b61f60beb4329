/**
 * One watcher of a promotion's Server-Sent Events, as a client of `ramp server` sees them: the
 * stream read with fetch, parsed by the CLI's own parser (cli/sse.ts), every `status` event kept
 * with the time its chunk arrived on this process's clock.
 */
import { performance } from 'node:perf_hooks';
import { SseParser } from '../cli/sse.js';

export interface ArrivedStatus {
  /** performance.now() when the chunk that completed the event arrived. */
  at: number;
  /** The event's data: the snapshot as JSON text. */
  data: string;
}

export class SseWatcher {
  readonly statuses: ArrivedStatus[] = [];
  /** When the request was sent, and when the first `status` event arrived. */
  readonly openedAt = performance.now();
  firstStatusAt: number | null = null;
  /** Why the stream stopped, when it stopped before `close()`. */
  failure: string | null = null;
  private readonly abort = new AbortController();
  private readonly reading: Promise<void>;

  constructor(url: string, authorization: string) {
    this.reading = this.read(url, authorization).catch((error: unknown) => {
      if (!this.abort.signal.aborted) this.failure = error instanceof Error ? error.message : String(error);
    });
  }

  /** The first status that arrived at or after `since` and that `matches`, or undefined. */
  find(since: number, matches: (data: string) => boolean): ArrivedStatus | undefined {
    return this.statuses.find((status) => status.at >= since && matches(status.data));
  }

  async close(): Promise<void> {
    this.abort.abort();
    await this.reading;
  }

  private async read(url: string, authorization: string): Promise<void> {
    const response = await fetch(url, { headers: { authorization, accept: 'text/event-stream' }, signal: this.abort.signal });
    if (response.status !== 200 || !response.body) {
      throw new Error(`GET ${url} answered ${response.status}: ${(await response.text()).slice(0, 300)}`);
    }
    const parser = new SseParser();
    const decoder = new TextDecoder();
    for await (const chunk of response.body) {
      const at = performance.now();
      for (const event of parser.push(decoder.decode(chunk as Uint8Array, { stream: true }))) {
        if (event.event === 'error') throw new Error(`the stream sent an error event: ${event.data}`);
        if (event.event === 'end') throw new Error('the stream ended (the promotion finished or the server stopped)');
        if (event.event !== 'status') continue;
        this.statuses.push({ at, data: event.data });
        this.firstStatusAt ??= at;
      }
    }
    throw new Error('the server closed the stream');
  }
}
