/**
 * The action forms of the release page (`form[data-ramp-action]`: approve, reject, pause, …): a
 * submit becomes a JSON POST to the form's action with the browser session — `Content-Type:
 * application/json` and `X-Ramp-Request: 1`, which the server's CSRF rule asks of a write by
 * cookie — with the comment or reason typed. The answer (or the error's message and hint) goes to
 * the notices, and the content is refreshed. The server decides: a disabled button only says
 * what it would answer.
 */
import { problemOf, type ReleaseView } from './view.js';

/** The free-text fields an action may carry (server/schemas.ts): cleared once it was sent. */
const TEXT_FIELDS = ['comment', 'reason'] as const;
/** Fields the API takes as lists (a rollback's `stages`); a field named `x[]` is one too. */
const LIST_FIELDS = new Set(['stages']);

export function interceptActions(view: ReleaseView): void {
  // On the document: the forms are replaced with the content, the listener stays.
  document.addEventListener('submit', (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.matches('form[data-ramp-action]') || !view.main.contains(form)) return;
    event.preventDefault();
    void send(form, view);
  });
}

async function send(form: HTMLFormElement, view: ReleaseView): Promise<void> {
  if (form.getAttribute('aria-busy') === 'true') return;
  const action = form.dataset.rampAction ?? 'action';
  const body = requestBody(form);
  const buttons = [...form.querySelectorAll<HTMLButtonElement>('button[type="submit"], button:not([type])')].filter((b) => !b.disabled);
  form.setAttribute('aria-busy', 'true');
  for (const button of buttons) button.disabled = true;
  view.notices.clearProblem();
  view.notices.say(`Sending ${action}…`);
  let sent = false;
  try {
    const response = await fetch(form.action, {
      method: 'POST',
      credentials: 'same-origin',
      redirect: 'manual',
      headers: { 'Content-Type': 'application/json', 'X-Ramp-Request': '1', Accept: 'application/json' },
      body: JSON.stringify(body),
    });
    if (response.type === 'opaqueredirect' || response.status === 401) {
      view.notices.say('');
      view.endSession();
      return;
    }
    if (response.ok) {
      const answer = (await response.json().catch(() => null)) as { message?: unknown } | null;
      view.notices.say(typeof answer?.message === 'string' ? answer.message : `${action}: done.`);
      sent = true;
    } else {
      const failure = await problemOf(response);
      view.notices.say('');
      view.notices.problem(`${capitalised(action)} refused: ${failure.message}`, failure.hint);
    }
  } catch (error) {
    view.notices.say('');
    view.notices.problem(
      `${capitalised(action)} could not be sent: ${error instanceof Error ? error.message : String(error)}.`,
      'Check the connection, then try again.',
    );
  } finally {
    form.removeAttribute('aria-busy');
    for (const button of buttons) button.disabled = false;
  }
  // What was sent is on the record now: the typed text is not kept for a form that stays.
  if (sent) for (const name of TEXT_FIELDS) clear(form.elements.namedItem(name));
  await view.refresh();
}

/**
 * The JSON body of a form: its named, enabled text and hidden fields that are not blank (the API
 * refuses a blank comment or reason), lists for the fields the API takes as lists.
 */
function requestBody(form: HTMLFormElement): Record<string, string | string[]> {
  const body: Record<string, string | string[]> = {};
  for (const field of form.elements) {
    if (!(field instanceof HTMLTextAreaElement || field instanceof HTMLInputElement) || field.disabled || !field.name) continue;
    if (field instanceof HTMLInputElement && !['hidden', 'text', ''].includes(field.type)) continue;
    if (field.value.trim() === '') continue;
    const list = field.name.endsWith('[]') || LIST_FIELDS.has(field.name);
    const name = field.name.replace(/\[\]$/, '');
    if (!list) body[name] = field.value;
    else body[name] = [...((body[name] as string[] | undefined) ?? []), field.value];
  }
  return body;
}

function clear(field: Element | RadioNodeList | null): void {
  if (field instanceof HTMLTextAreaElement || field instanceof HTMLInputElement) field.value = field.defaultValue;
}

function capitalised(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
