/**
 * GET /api/v1/promotions/{id}/events: Server-Sent Events. `event: status` with the snapshot
 * (as GET /api/v1/promotions/{id}) whenever it changed, `event: error` when a read failed (the
 * error body; the stream goes on), `event: end` once the promotion finished or the server
 * shuts down; a comment line every heartbeat so proxies keep the connection open.
 */
import type { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import { readSnapshot } from '../../cli/temporal-backend.js';
import type { AppEnv, ServerContext } from '../context.js';
import { pathOf } from '../request.js';
import { PromotionParams } from '../schemas.js';
import type { FeedEvent } from '../sse.js';
import { errorEvent } from '../log.js';

/** What the stream writes: the feed's events and heartbeats. */
type StreamEvent = FeedEvent | { kind: 'heartbeat' };

export function eventRoutes(app: Hono<AppEnv>, ctx: ServerContext): void {
  app.get('/api/v1/promotions/:id/events', async (c) => {
    const { id } = pathOf(c, PromotionParams);
    // Read once before streaming (an unknown promotion is a plain 404, not an empty stream) —
    // unless others watch it already: then the feed's latest snapshot is as fresh as a read.
    const first = ctx.feed.latest(id) ?? (await readSnapshot(await ctx.temporal.get(), id));
    return streamSSE(
      c,
      async (stream) => {
        const queue: StreamEvent[] = [];
        let wake: (() => void) | null = null;
        const push = (event: StreamEvent) => {
          queue.push(event);
          wake?.();
        };
        const unwatch = ctx.feed.watch(id, push, first);
        const heartbeat = setInterval(() => push({ kind: 'heartbeat' }), ctx.heartbeatMs);
        const onShutdown = () => push({ kind: 'end' });
        ctx.shutdown.addEventListener('abort', onShutdown, { once: true });
        if (ctx.shutdown.aborted) onShutdown();
        stream.onAbort(() => push({ kind: 'end' }));
        try {
          for (;;) {
            const event = queue.shift();
            if (!event) {
              await new Promise<void>((resolve) => (wake = resolve));
              wake = null;
              continue;
            }
            if (stream.aborted) break;
            if (event.kind === 'heartbeat') await stream.write(': heartbeat\n\n');
            else if (event.kind === 'status') await stream.writeSSE({ event: 'status', data: JSON.stringify(event.snapshot) });
            else if (event.kind === 'error') await stream.writeSSE({ event: 'error', data: JSON.stringify(event.error.body()) });
            else {
              await stream.writeSSE({ event: 'end', data: JSON.stringify({ promotionId: id }) });
              break;
            }
          }
        } finally {
          clearInterval(heartbeat);
          ctx.shutdown.removeEventListener('abort', onShutdown);
          unwatch();
        }
      },
      (error) => Promise.resolve(ctx.options.logger.error(errorEvent(`event stream of ${id} failed`, error, undefined))),
    );
  });
}
