/** `ramp --version`: the version of the package this CLI ships in. */
import { readFileSync } from 'node:fs';

/** The `version` of ramp's package.json, found from this file up (cli/ now, dist/cli/ once compiled, dist/cli/bundle/ in the one-file CLI). */
export function rampVersion(): string {
  for (const up of ['../package.json', '../../package.json', '../../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(up, import.meta.url), 'utf8')) as { name?: unknown; version?: unknown };
      if (pkg.name === 'ramp' && typeof pkg.version === 'string') return pkg.version;
    } catch {
      // not there: look one level up
    }
  }
  return 'unknown';
}
