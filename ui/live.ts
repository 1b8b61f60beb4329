/**
 * Live updates: an EventSource on the release's `data-events` stream (GET
 * /api/v1/promotions/{id}/events, the session cookie). Each `status` event (a snapshot) refreshes
 * the content and says politely what changed; `end` refreshes once more and closes — for good
 * when the release finished, else (the server stopped) to connect again. When the connection
 * drops the browser reconnects by itself; when it gives up (the stream answered an error) or the
 * server ended the stream, the island tries again with growing waits, after checking that the
 * session still holds.
 */
import { changeSummary, snapshotView, type SnapshotView } from './announce.js';
import type { ReleaseView } from './view.js';

/** @default 1 s, doubled per failed attempt, at most 30 s */
const FIRST_RETRY_MS = 1_000;
const MAX_RETRY_MS = 30_000;

export function followRelease(view: ReleaseView, eventsUrl: string): void {
  let last: SnapshotView | null = null;
  let source: EventSource | null = null;
  let retryMs = FIRST_RETRY_MS;
  let interrupted = false;
  let finished = false;

  const connect = () => {
    source = new EventSource(eventsUrl);
    view.main.dataset.live = 'connecting';
    source.addEventListener('open', () => {
      view.main.dataset.live = 'open';
      retryMs = FIRST_RETRY_MS;
      if (interrupted) {
        interrupted = false;
        view.notices.say('Live updates resumed.');
      }
    });
    source.addEventListener('status', (event) => {
      const next = snapshotView(parse((event as MessageEvent<string>).data));
      const summary = next ? changeSummary(last, next) : null;
      if (next) last = next;
      void view.refresh().then(() => {
        if (view.sessionEnded) {
          // Nothing more can be shown without a session: stop listening.
          finished = true;
          source?.close();
          view.main.dataset.live = 'ended';
        } else if (summary) view.notices.say(summary);
      });
    });
    source.addEventListener('end', () => {
      source?.close();
      void view.refresh();
      // The release finished: nothing more will come. Else the server is stopping (a restart, a
      // deploy): the browser would not reconnect after an orderly end, so the island does.
      if (last?.promotion.finished) {
        finished = true;
        view.main.dataset.live = 'ended';
        return;
      }
      interrupted = true;
      view.main.dataset.live = 'interrupted';
      retryLater('The server ended live updates');
    });
    source.addEventListener('error', (event) => {
      // The server's own `event: error` (a read failed; the stream goes on) carries its error body:
      // transient, so the polite line (the alert stays for what a person did, and the session).
      if (event instanceof MessageEvent && typeof event.data === 'string') {
        const body = parse(event.data) as { message?: unknown; hint?: unknown } | null;
        if (body && typeof body.message === 'string') view.notices.say(`Live updates: ${body.message}; still trying.`);
        return;
      }
      if (finished) return;
      interrupted = true;
      view.main.dataset.live = 'interrupted';
      // CONNECTING: the browser reconnects by itself. CLOSED: it gave up; try again later.
      if (source?.readyState === EventSource.CLOSED) {
        retryLater('Live updates interrupted');
      } else {
        view.notices.say('Live updates interrupted; reconnecting.');
      }
    });
  };

  const retryLater = (what: string) => {
    view.notices.say(`${what}; trying again in ${Math.round(retryMs / 1000)} s.`);
    const wait = retryMs;
    retryMs = Math.min(retryMs * 2, MAX_RETRY_MS);
    setTimeout(() => void reconnect(), wait);
  };

  const reconnect = async () => {
    if (finished) return;
    // The refresh finds out whether the session still holds (a redirect to the login: it ended).
    await view.refresh();
    if (view.sessionEnded) {
      view.main.dataset.live = 'ended';
      return;
    }
    connect();
  };

  window.addEventListener('pagehide', () => source?.close());
  connect();
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}
