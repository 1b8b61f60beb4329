#!/usr/bin/env node
// The benchmark's middle CLI: the compiled modules of dist/cli/ as they are, not bundled into one
// file (bench/startup.ts), to show what the bundling adds to the compilation.
const { runFromProcess } = await import('../dist/cli/main.js');
await runFromProcess();
