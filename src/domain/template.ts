/**
 * `{{args.name}}` and built-in `{{ramp.*}}` placeholders in metric queries and update values.
 */

const PLACEHOLDER_RE = /\{\{\s*([^{}]*?)\s*\}\}/g;

/**
 * Built-in variables available to every query, next to `args.<name>`: the pipeline, stage,
 * version (the canary's) and image, and the canary's and stable's labels — the backend names of
 * the stage's traffic routing (empty for a direct stage).
 */
export const BUILTIN_VARIABLES = ['ramp.pipeline', 'ramp.stage', 'ramp.version', 'ramp.image', 'ramp.canary', 'ramp.stable'] as const;

/** The placeholder names used in a template, in order of appearance, without duplicates. */
export function placeholders(template: string): string[] {
  const names = new Set<string>();
  for (const match of template.matchAll(PLACEHOLDER_RE)) names.add(match[1] ?? '');
  return [...names];
}

/** Replaces every `{{name}}` with its value; unknown names are left as they are. */
export function renderTemplate(template: string, values: Readonly<Record<string, string>>): string {
  return template.replace(PLACEHOLDER_RE, (whole, name: string) => values[name] ?? whole);
}
