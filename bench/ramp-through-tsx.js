#!/usr/bin/env node
// The benchmark's "before" CLI: bin/ramp.js as it was, compiling the TypeScript sources through
// tsx at every call (bench/startup.ts).
import { register } from 'tsx/esm/api';

register();
const { runFromProcess } = await import('../cli/main.ts');
await runFromProcess();
