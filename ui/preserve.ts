/**
 * What a person is doing inside the release's <main> survives a refresh of its content: the text
 * typed into a comment or reason, and the focus (with the caret). Controls are matched across the
 * old and new content by a key: their form's action and their name, or their id.
 */

type TextControl = HTMLTextAreaElement | HTMLInputElement;

export interface PersonState {
  /** Text typed (differing from what the page was served with), by control key. */
  typed: Map<string, string>;
  /** The focused control's key and caret, when the focus was inside. */
  focus: { key: string; start: number | null; end: number | null } | null;
  /** Whether the focus was inside at all (then it stays inside even when its control is gone). */
  focusInside: boolean;
}

/** A stable name for `element` across refreshes, or null when it has none. */
export function controlKey(element: Element): string | null {
  const form = element instanceof HTMLElement && 'form' in element ? (element as { form: HTMLFormElement | null }).form : null;
  const name = element.getAttribute('name') ?? (element instanceof HTMLButtonElement ? `button:${element.type}` : null);
  if (form && name) return `${form.getAttribute('action') ?? ''}|${name}`;
  return element.id ? `#${element.id}` : null;
}

function isText(element: Element): element is TextControl {
  return element instanceof HTMLTextAreaElement || (element instanceof HTMLInputElement && ['text', 'search', ''].includes(element.type));
}

export function capture(root: HTMLElement): PersonState {
  const typed = new Map<string, string>();
  for (const control of root.querySelectorAll('textarea, input')) {
    if (!isText(control) || control.value === control.defaultValue) continue;
    const key = controlKey(control);
    if (key) typed.set(key, control.value);
  }
  const active = document.activeElement;
  const focusInside = active !== null && active !== root && root.contains(active);
  let focus: PersonState['focus'] = null;
  if (focusInside) {
    const key = controlKey(active);
    if (key) focus = { key, start: isText(active) ? active.selectionStart : null, end: isText(active) ? active.selectionEnd : null };
  }
  return { typed, focus, focusInside };
}

export function restore(root: HTMLElement, state: PersonState): void {
  const byKey = new Map<string, Element>();
  for (const element of root.querySelectorAll('textarea, input, button, select, a[id], [tabindex]')) {
    const key = controlKey(element);
    if (key && !byKey.has(key)) byKey.set(key, element);
  }
  for (const [key, value] of state.typed) {
    const control = byKey.get(key);
    if (control && isText(control)) control.value = value;
  }
  if (!state.focusInside) return;
  const target = state.focus ? byKey.get(state.focus.key) : undefined;
  if (target instanceof HTMLElement && !(target as HTMLButtonElement).disabled) {
    target.focus({ preventScroll: true });
    if (isText(target) && state.focus?.start != null) target.setSelectionRange(state.focus.start, state.focus.end ?? state.focus.start);
    return;
  }
  // Its control is gone (the approval was given): keep the focus inside, on the content itself.
  if (!root.hasAttribute('tabindex')) root.tabIndex = -1;
  root.focus({ preventScroll: true });
}
