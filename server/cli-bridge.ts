/**
 * The reads whose JSON is exactly the CLI's (`ramp list`, `ramp history`, `ramp drift`, `ramp
 * audit` with --json): the server runs those commands in-process, with its own Temporal settings and
 * pipelines directory, and returns what they print. Their errors are thrown as they are
 * (UserError with Temporal's error as cause), for apiErrorOf to turn into a status.
 */
import type { Command, CommandIo } from '../cli/command.js';
import { InternalError } from '../src/errors.js';
import type { ServerContext } from './context.js';

/** `ramp <command> <args> --json` in-process with the server's settings: what it printed (`ramp audit` prints JSON lines). */
export async function runCliText(ctx: ServerContext, command: Command, args: string[]): Promise<string> {
  const { settings, env } = ctx.options.temporal;
  let stdout = '';
  const io: CommandIo = {
    stdout: (text) => (stdout += text),
    stderr: () => {},
    isTty: false,
    color: false,
    cwd: ctx.options.pipelinesDir,
    env: { ...env, RAMP_PIPELINES_DIR: ctx.options.pipelinesDir },
  };
  const flags = ['--address', settings.address, '--namespace', settings.namespace, '--task-queue', settings.taskQueue];
  await command.run([...args, ...flags, '--json'], io);
  return stdout;
}

export async function runCliJson(ctx: ServerContext, command: Command, args: string[]): Promise<unknown> {
  const stdout = await runCliText(ctx, command, args);
  // drift exits 1 when it found drift: its JSON is the answer all the same.
  if (stdout.trim() === '') throw new InternalError(`ramp ${command.name} --json printed nothing`);
  return JSON.parse(stdout) as unknown;
}
