/**
 * The release's <main>: its content comes again from its `data-fragment` URL (the same HTML the
 * page was rendered with) whenever something changed; a refresh keeps what the person typed and
 * where their focus was (preserve.ts). Refreshes never overlap: one asked for during another runs
 * once after it.
 */
import { Notices } from './notice.js';
import { capture, restore } from './preserve.js';

/** Dispatched on <main> after its content was replaced (tests and other islands may wait for it). */
export const UPDATED_EVENT = 'ramp:updated';

export class ReleaseView {
  readonly notices: Notices;
  private running: Promise<void> | null = null;
  private again = false;
  /** Set once the session is gone: nothing more is fetched. */
  private ended = false;

  constructor(
    readonly main: HTMLElement,
    private readonly fragmentUrl: string,
  ) {
    this.notices = new Notices(main);
  }

  get sessionEnded(): boolean {
    return this.ended;
  }

  /** Fetches the content again and puts it in place if it differs. */
  refresh(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      do {
        this.again = false;
        await this.load();
      } while (this.again && !this.ended);
    })().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  /** The session is gone (expired, logged out): say so once; the person reloads to sign in. */
  endSession(): void {
    if (this.ended) return;
    this.ended = true;
    this.notices.problem('Your session has ended, so this page no longer updates.', 'Reload the page to sign in again.');
  }

  private async load(): Promise<void> {
    if (this.ended) return;
    let response: Response;
    try {
      response = await fetch(this.fragmentUrl, { credentials: 'same-origin', redirect: 'manual', cache: 'no-store', headers: { accept: 'text/html' } });
    } catch (error) {
      this.notices.say(`Could not reload the release: ${error instanceof Error ? error.message : String(error)}; it is tried again at the next change.`);
      return;
    }
    // No session any more: the server sends the browser to its login (a redirect) or answers 401.
    if (response.type === 'opaqueredirect' || response.status === 401) return this.endSession();
    if (!response.ok) {
      const failure = await problemOf(response);
      this.notices.say(`Could not reload the release: ${failure.message}; it is tried again at the next change.`);
      return;
    }
    this.replace(await response.text());
  }

  /** Puts `html` in place of the content when it differs; returns whether it did. */
  replace(html: string): boolean {
    const incoming = document.createElement('template');
    incoming.innerHTML = html;
    if (incoming.innerHTML === this.main.innerHTML) return false;
    const state = capture(this.main);
    this.main.setAttribute('aria-busy', 'true');
    this.main.replaceChildren(incoming.content);
    restore(this.main, state);
    this.main.removeAttribute('aria-busy');
    this.main.dispatchEvent(new CustomEvent(UPDATED_EVENT, { bubbles: true }));
    return true;
  }
}

/** The `{ error, message, hint }` of an error answer, or its status line when it is not JSON. */
export async function problemOf(response: Response): Promise<{ message: string; hint: string | undefined }> {
  const text = await response.text().catch(() => '');
  try {
    const body = JSON.parse(text) as { message?: unknown; hint?: unknown };
    if (typeof body.message === 'string') return { message: body.message, hint: typeof body.hint === 'string' ? body.hint : undefined };
  } catch {
    // not JSON: below
  }
  return { message: `the server answered ${response.status} ${response.statusText}`.trim(), hint: undefined };
}
