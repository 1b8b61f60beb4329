/**
 * Where the islands speak to the person, just above the release's <main> (outside it, so a
 * refresh of the content keeps it): a polite status line (role=status) for what changed, what an
 * action answered and passing trouble with live updates, and an alert (role=alert) for what a
 * person must act on — an action refused or not sent, a session that ended — with its hint. Both exist
 * from the start, empty, so that assistive technology announces what is written into them.
 */
export class Notices {
  readonly element: HTMLElement;
  private readonly status: HTMLElement;
  private readonly alert: HTMLElement;

  constructor(main: HTMLElement) {
    this.element = document.createElement('div');
    this.element.className = 'notices';
    this.element.dataset.rampNotices = '';
    this.status = document.createElement('div');
    this.status.className = 'notice-status';
    this.status.setAttribute('role', 'status');
    this.status.setAttribute('aria-live', 'polite');
    this.alert = document.createElement('div');
    this.alert.className = 'notice-alert';
    this.alert.setAttribute('role', 'alert');
    this.element.append(this.status, this.alert);
    main.before(this.element);
  }

  /** A polite sentence (replaces the previous one). */
  say(text: string): void {
    this.status.textContent = text;
  }

  /** A problem: what went wrong and what to do; clears the status line. */
  problem(message: string, hint?: string): void {
    this.status.textContent = '';
    const what = document.createElement('strong');
    what.textContent = message;
    const parts: Node[] = [what];
    if (hint) {
      const next = document.createElement('span');
      next.className = 'hint';
      next.textContent = ` ${hint}`;
      parts.push(next);
    }
    this.alert.replaceChildren(...parts);
  }

  /** Clears the problem (it was solved, or superseded). */
  clearProblem(): void {
    this.alert.replaceChildren();
  }
}
