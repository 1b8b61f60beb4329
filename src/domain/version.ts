/** Versions are image tags (OCI distribution spec): what `ramp promote <pipeline> <version>` accepts. */

export const VERSION_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

/** Why `version` is not a usable tag, or null when it is. */
export function versionProblem(version: string): string | null {
  if (VERSION_PATTERN.test(version)) return null;
  return `"${version}" is not a valid version: it becomes an image tag, so use up to 128 letters, digits, '_', '.' and '-', not starting with '.' or '-' (e.g. 1.4.2 or 2026.11.21-abc123)`;
}
