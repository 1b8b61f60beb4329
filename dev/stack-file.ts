/**
 * The dev stack's state file, `<dir>/stack.json` (default `.ramp/dev/stack.json`): where a
 * running `ramp dev` serves, so that the CLI next to it (`npx ramp promote web 1.4.2`) talks to
 * its Temporal server and promotes its pipelines. `ramp dev` writes it once its worker polls and
 * removes it when it stops; a file whose process is gone (killed with SIGKILL) is ignored.
 */
import { readFileSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where `ramp dev` keeps its files unless told otherwise (`--dir`, or RAMP_DEV_DIR for the CLI). */
export const DEFAULT_DEV_DIR = fileURLToPath(new URL('../.ramp/dev', import.meta.url));

export const STACK_FILE = 'stack.json';

export interface DevStackState {
  /** The `ramp dev` process holding the stack. */
  pid: number;
  startedAt: string;
  temporal: { address: string; namespace: string; uiUrl: string | null };
  taskQueue: string;
  /** The directory of the pipelines the stack serves (absolute): `web` is its web.yaml. */
  pipelinesDir: string;
  /** The names of the pipelines it serves (web). */
  pipelines: string[];
  /** The pipelines' source in the checkout, for messages (examples/demo.yaml). */
  pipelineSource: string;
  /** The local GitOps repository every pipeline of the stack points at. */
  repository: { url: string; dir: string };
  prometheusUrl: string;
}

export async function writeStackFile(dir: string, state: DevStackState): Promise<string> {
  const file = path.join(dir, STACK_FILE);
  await writeFile(file, `${JSON.stringify(state, null, 2)}\n`);
  return file;
}

export async function removeStackFile(dir: string): Promise<void> {
  await rm(path.join(dir, STACK_FILE), { force: true });
}

/** The stack described in `dir`, or null when there is none or its process is gone. */
export function readStackFile(dir: string): DevStackState | null {
  let text: string;
  try {
    text = readFileSync(path.join(dir, STACK_FILE), 'utf8');
  } catch {
    return null; // no stack here
  }
  const state = parseStackState(text);
  return state && isAlive(state.pid) ? state : null;
}

/** The state in `text`, or null when it is not a stack file of this shape (e.g. cut short). */
export function parseStackState(text: string): DevStackState | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  const v = value as Partial<DevStackState> | null;
  const ok =
    typeof v === 'object' &&
    v !== null &&
    Number.isInteger(v.pid) &&
    typeof v.temporal?.address === 'string' &&
    typeof v.temporal.namespace === 'string' &&
    typeof v.taskQueue === 'string' &&
    typeof v.pipelinesDir === 'string' &&
    Array.isArray(v.pipelines) &&
    typeof v.repository?.url === 'string';
  return ok ? (v as DevStackState) : null;
}

/** Whether a process with this id exists (EPERM: it does, as another user's). */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
