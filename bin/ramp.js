#!/usr/bin/env node
// The `ramp` command: runs the TypeScript CLI through tsx's loader (no build step).
import { register } from 'tsx/esm/api';

register();
const { runFromProcess } = await import('../cli/main.ts');
await runFromProcess();
