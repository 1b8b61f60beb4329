/**
 * The dev stack as the CLI sees it: while `ramp dev` (`npm start`) runs, commands without a
 * Temporal address of their own talk to its server, and pipelines named on the command line are
 * the ones it serves (its `web` is examples/demo.yaml on its local GitOps repository), so the
 * README's commands work as written next to it. The stack is found by its state file
 * (dev/stack-file.ts) in $RAMP_DEV_DIR, else the default `.ramp/dev` of this checkout.
 */
import { lookup } from 'node:dns/promises';
import { join, relative, resolve } from 'node:path';
import { DEFAULT_DEV_DIR, STACK_FILE, readStackFile, type DevStackState } from '../dev/stack-file.js';
import { envOf, type CommandIo } from './command.js';

/** A running dev stack, and the state file that says so. */
export type DevStack = DevStackState & { file: string };

/** The running dev stack, or null. */
export function runningDevStack(io: CommandIo): DevStack | null {
  const given = envOf(io).RAMP_DEV_DIR?.trim();
  const dir = given ? resolve(io.cwd, given) : DEFAULT_DEV_DIR;
  const state = readStackFile(dir);
  return state && { ...state, file: join(dir, STACK_FILE) };
}

/** The Temporal address each command was given (--address, TEMPORAL_ADDRESS), as cliSettings saw it. */
const given = new WeakMap<CommandIo, string | undefined>();

/**
 * The Temporal address a command uses (connection.ts): the one it was given, else the running
 * dev stack's (and it says so on stderr), else undefined (127.0.0.1:7233). Remembers what was
 * given, so that pipelines are taken from the dev stack only when the command talks to it.
 */
export function addressOrDevStack(io: CommandIo, address: string | undefined): string | undefined {
  given.set(io, address);
  if (address !== undefined) return address;
  const stack = runningDevStack(io);
  if (stack) sayDevStack(io, stack);
  return stack?.temporal.address;
}

/**
 * The dev stack when this command talks to it: it runs, and the command was given no Temporal
 * address or the stack's (as cliSettings saw it; else by TEMPORAL_ADDRESS).
 */
export function devStackInUse(io: CommandIo): DevStack | null {
  const stack = runningDevStack(io);
  if (!stack) return null;
  const address = given.has(io) ? given.get(io) : envOf(io).TEMPORAL_ADDRESS?.trim() || undefined;
  return address === undefined || address === stack.temporal.address ? stack : null;
}

const told = new WeakSet<CommandIo>();

/** Says on stderr, once per command, that it talks to the dev stack. */
export function sayDevStack(io: CommandIo, stack: DevStack): void {
  if (told.has(io)) return;
  told.add(io);
  io.stderr(`ramp: talking to the dev stack (ramp dev, pid ${stack.pid}, Temporal at ${stack.temporal.address}, ${displayPath(io, stack.file)})\n`);
}

/** Paths under the working directory relative to it, others absolute. */
export function displayPath(io: CommandIo, path: string): string {
  const rel = relative(io.cwd, path);
  return rel.startsWith('..') || rel === '' ? path : rel;
}

/** The host a repository URL names (https, http, ssh, git, scp-like `git@host:path`), or null for a local one. */
export function repositoryHost(url: string): string | null {
  const scp = /^(?:[^@/:]+@)?([^/:]+):(?!\/\/)/.exec(url);
  if (scp && !/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) return scp[1]!.length > 1 ? scp[1]! : null; // `C:` is a drive
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'file:' || parsed.hostname === '' ? null : parsed.hostname.replace(/^\[|\]$/g, '');
  } catch {
    return null; // a local path
  }
}

/**
 * Whether `host` has no address on this machine (DNS says it does not exist). The dev stack's
 * worker runs here, so a repository there cannot be reached by it. Other lookup failures (no
 * network, a slow resolver: 5 s) are not taken as an answer.
 */
export async function hostDoesNotResolve(host: string): Promise<boolean> {
  const timeout = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), 5_000).unref());
  const answer = await Promise.race([
    lookup(host).then(
      () => 'found' as const,
      (error: NodeJS.ErrnoException) => (error.code === 'ENOTFOUND' ? ('not found' as const) : ('unknown' as const)),
    ),
    timeout,
  ]);
  return answer === 'not found';
}
