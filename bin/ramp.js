#!/usr/bin/env node
// The `ramp` command. Runs the compiled CLI (dist/cli/bundle/ramp.js: the compiled CLI in one
// file, written last by `npm run build`, which `npm install` runs as `prepare`). In a development checkout whose sources changed after the
// last build, or that has no build, it runs the TypeScript sources through tsx instead (slower:
// it compiles at every call) and says so on stderr. An installed package (`npm pack`, then
// `npm install -g ramp-*.tgz`) has no sources: it always runs dist/, and never needs tsx.
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
// Written last by `npm run build`: its time is the build's.
const compiled = path.join(root, 'dist/cli/bundle/ramp.js');
const SOURCE_DIRS = ['cli', 'server', 'src', 'worker', 'workflows', 'activities', 'ui'];

/** The first source file changed after the build, if any (the sources exist only in a checkout). */
function changedSince(time) {
  for (const dir of SOURCE_DIRS) {
    const full = path.join(root, dir);
    if (!existsSync(full)) continue;
    for (const entry of readdirSync(full, { recursive: true, withFileTypes: true })) {
      if (!entry.isFile() || !entry.name.endsWith('.ts')) continue;
      const file = path.join(entry.parentPath, entry.name);
      if (statSync(file).mtimeMs > time) return path.relative(root, file);
    }
  }
  return undefined;
}

function whyNotCompiled() {
  if (!existsSync(compiled)) return 'there is no build in dist/';
  const changed = changedSince(statSync(compiled).mtimeMs);
  return changed ? `${changed} changed after the last build` : undefined;
}

const reason = whyNotCompiled();
if (reason !== undefined && !existsSync(path.join(root, 'cli/main.ts'))) {
  // An installed package: dist/ is all it has (package.json "files").
  process.stderr.write(
    `ramp: cannot start: the package at ${root} has no build (${compiled} is missing). It was packed without \`npm run build\`: reinstall ramp from a package that \`npm pack\` built.\n`,
  );
  process.exit(1);
}
if (reason === undefined) {
  const { runFromProcess } = await import(compiled);
  await runFromProcess();
} else {
  let register;
  try {
    ({ register } = await import('tsx/esm/api'));
  } catch {
    process.stderr.write(
      `ramp: cannot start: ${reason}, and tsx (a development dependency) is not installed to run the sources. Run \`npm install\` (it builds) or \`npm run build\` in ${root}.\n`,
    );
    process.exit(1);
  }
  process.stderr.write(`ramp: running the TypeScript sources through tsx (slow) because ${reason}; \`npm run build\` to run the compiled CLI\n`);
  register();
  const { runFromProcess } = await import('../cli/main.ts');
  await runFromProcess();
}
