/**
 * A real terminal for tests of live views: a tmux server of the test's own (its own socket, no
 * user config), one window of a fixed size, read back with capture-pane. tmux comes from PATH,
 * or is installed with apt-get as root (as scripts/lib/tools.ts provisions Prometheus).
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { aptInstall, canUseApt } from '../../scripts/lib/apt.js';
import { findOnPath } from '../../scripts/lib/proc.js';
import { cleanupOnSignal } from '../harness/reaper.js';

const exec = promisify(execFile);

/** The tmux binary: $TMUX_BIN, PATH, else apt-get install tmux (root); else why not. */
export async function ensureTmux(): Promise<{ path: string } | { missing: string }> {
  if (process.env.TMUX_BIN) return { path: process.env.TMUX_BIN };
  const found = await findOnPath('tmux');
  if (found) return { path: found };
  if (!(await canUseApt())) return { missing: 'tmux is not on PATH and cannot be installed here (apt-get as root); install tmux or set TMUX_BIN' };
  await aptInstall(['tmux']);
  const installed = await findOnPath('tmux');
  return installed ? { path: installed } : { missing: 'apt-get install tmux finished, but tmux is still not on PATH' };
}

export interface Terminal {
  /** The visible screen, one string per row (colours left out). */
  screen(): Promise<string[]>;
  /** Everything the terminal holds: its scrollback, then the screen. */
  scrollback(): Promise<string[]>;
  /** The command's exit status once it ended (the pane stays), else null. */
  exitStatus(): Promise<number | null>;
  stop(): Promise<void>;
}

/** Runs `command` (argv) in a `columns`×`rows` terminal with exactly this environment. */
export async function openTerminal(
  tmux: string,
  command: string[],
  options: { columns: number; rows: number; env: Record<string, string>; cwd: string },
): Promise<Terminal> {
  const dir = await mkdtemp(join(tmpdir(), 'ramp-tmux-'));
  const config = join(dir, 'tmux.conf');
  // The pane stays after the command ends, so its last screen and exit status can be read.
  await writeFile(config, 'set -g remain-on-exit on\nset -g history-limit 10000\nset -g status off\n');
  const socket = `ramp-test-${randomUUID().slice(0, 8)}`;
  const run = (...args: string[]) => exec(tmux, ['-L', socket, '-f', config, ...args], { env: options.env, cwd: options.cwd });
  const stop = async () => {
    await run('kill-server').catch(() => {});
    await rm(dir, { recursive: true, force: true });
  };
  const unregister = cleanupOnSignal(stop);
  // `status off`: the window is the pane, all `rows` of it.
  await run('new-session', '-d', '-s', 'test', '-x', String(options.columns), '-y', String(options.rows), '--', ...command);
  const lines = (text: string) => text.replace(/\n$/, '').split('\n');
  return {
    screen: async () => lines((await run('capture-pane', '-p', '-t', 'test')).stdout),
    scrollback: async () => lines((await run('capture-pane', '-p', '-S', '-', '-E', '-', '-t', 'test')).stdout),
    async exitStatus() {
      const { stdout } = await run('display-message', '-p', '-t', 'test', '#{pane_dead}:#{pane_dead_status}');
      const [dead, status] = stdout.trim().split(':');
      return dead === '1' ? Number(status) : null;
    },
    async stop() {
      unregister();
      await stop();
    },
  };
}
