// `npm run setup`: finds or installs the local stack's tools and prints one line per tool.
//   --json   print the paths as JSON on stdout (progress and the table go to stderr)
import { ensureTools, ToolUnavailableError } from './lib/tools.js';

const json = process.argv.includes('--json');
const started = performance.now();
const print = (line: string): void => {
  (json ? process.stderr : process.stdout).write(`${line}\n`);
};

try {
  const tools = await ensureTools({ print });
  if (json) process.stdout.write(`${JSON.stringify(tools, (_key, value: unknown) => value ?? null, 2)}\n`); // missing → null
  print(`setup done in ${((performance.now() - started) / 1000).toFixed(2)} s`);
} catch (err) {
  if (err instanceof ToolUnavailableError) {
    process.stderr.write(`setup failed:\n${err.message}\n`);
    process.exit(1);
  }
  throw err;
}
