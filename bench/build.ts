/** The benches measure the shipped way: the compiled CLI (bin/ramp.js → dist/), built first when stale. */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { run, runChecked } from '../scripts/lib/proc.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));

/** Runs `npm run build` unless bin/ramp.js would run the compiled CLI as it is. */
export async function ensureBuild(): Promise<void> {
  const probe = await run(process.execPath, [path.join(ROOT, 'bin/ramp.js'), '--help'], { cwd: ROOT });
  if (!probe.stderr.includes('through tsx')) return;
  process.stdout.write(`dist/ is not current (${probe.stderr.trim()}); npm run build ... `);
  await runChecked('npm', ['run', 'build'], { cwd: ROOT, timeoutMs: 600_000 });
  process.stdout.write('done\n');
}
