/**
 * Live status for Server-Sent Events: one read loop per watched promotion, shared by all its
 * watchers (fan-out). The loop reads the snapshot every `pollMs`, hands it to every watcher
 * when it changed, says `end` once the promotion finished, and stops when its last watcher
 * leaves. A new watcher of a running loop gets the latest snapshot at once.
 */
import type { Snapshot } from '../cli/follow.js';
import { apiErrorOf, type ApiError } from './errors.js';

export type FeedEvent = { kind: 'status'; snapshot: Snapshot } | { kind: 'end' } | { kind: 'error'; error: ApiError };
export type FeedListener = (event: FeedEvent) => void;

interface Loop {
  listeners: Set<FeedListener>;
  last: Snapshot | null;
  lastText: string;
  timer: NodeJS.Timeout | null;
}

export class StatusFeed {
  private readonly loops = new Map<string, Loop>();

  constructor(
    private readonly read: (promotionId: string) => Promise<Snapshot>,
    private readonly pollMs: number,
  ) {}

  /** How many promotions are watched now (one loop each). */
  get watched(): number {
    return this.loops.size;
  }

  /**
   * Watches `promotionId`; `first` is a snapshot the caller just read (so the watcher sees the
   * state it was answered with). Returns how to stop watching.
   */
  watch(promotionId: string, listener: FeedListener, first?: Snapshot): () => void {
    let loop = this.loops.get(promotionId);
    const fresh = loop === undefined;
    if (!loop) {
      loop = { listeners: new Set(), last: null, lastText: '', timer: null };
      this.loops.set(promotionId, loop);
    }
    loop.listeners.add(listener);
    if (fresh) {
      if (first) this.publish(promotionId, loop, first);
      if (this.loops.get(promotionId) === loop) this.schedule(promotionId, loop);
    } else {
      const latest = loop.last ?? first;
      if (latest) listener({ kind: 'status', snapshot: latest });
    }
    const joined = loop;
    return () => {
      joined.listeners.delete(listener);
      if (joined.listeners.size === 0) this.stop(promotionId, joined);
    };
  }

  /** The latest snapshot of a promotion being watched, if any: a new watcher starts from it instead of reading again. */
  latest(promotionId: string): Snapshot | null {
    return this.loops.get(promotionId)?.last ?? null;
  }

  /** Ends every watch (shutdown): each watcher gets `end`. */
  close(): void {
    for (const [id, loop] of [...this.loops]) {
      for (const listener of [...loop.listeners]) listener({ kind: 'end' });
      this.stop(id, loop);
    }
  }

  private schedule(promotionId: string, loop: Loop): void {
    loop.timer = setTimeout(() => void this.tick(promotionId, loop), this.pollMs);
  }

  private async tick(promotionId: string, loop: Loop): Promise<void> {
    loop.timer = null;
    if (this.loops.get(promotionId) !== loop) return;
    try {
      const snapshot = await this.read(promotionId);
      if (this.loops.get(promotionId) !== loop) return;
      this.publish(promotionId, loop, snapshot);
    } catch (error) {
      if (this.loops.get(promotionId) !== loop) return;
      const failure = apiErrorOf(error);
      for (const listener of [...loop.listeners]) listener({ kind: 'error', error: failure });
      // Gone for good: nothing more will come. Anything else (Temporal, a worker) may come back.
      if (failure.status === 404) {
        for (const listener of [...loop.listeners]) listener({ kind: 'end' });
        this.stop(promotionId, loop);
      }
    }
    if (this.loops.get(promotionId) === loop) this.schedule(promotionId, loop);
  }

  /** Hands a changed snapshot to every watcher; ends the loop once the promotion finished. */
  private publish(promotionId: string, loop: Loop, snapshot: Snapshot): void {
    const text = JSON.stringify(snapshot);
    if (text !== loop.lastText) {
      loop.last = snapshot;
      loop.lastText = text;
      for (const listener of [...loop.listeners]) listener({ kind: 'status', snapshot });
    }
    if (snapshot.promotion.finishedAt !== null) {
      for (const listener of [...loop.listeners]) listener({ kind: 'end' });
      this.stop(promotionId, loop);
    }
  }

  private stop(promotionId: string, loop: Loop): void {
    if (loop.timer) clearTimeout(loop.timer);
    loop.timer = null;
    loop.listeners.clear();
    if (this.loops.get(promotionId) === loop) this.loops.delete(promotionId);
  }
}
