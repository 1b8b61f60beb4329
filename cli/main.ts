/**
 * The `ramp` command. The single place where errors become exit codes and messages.
 */
import { InternalError, UsageError, UserError } from '../src/errors.js';
import { LOCAL_COMMANDS, takeServerFlag } from './backend.js';
import { envOf, type Command, type CommandIo } from './command.js';
import { abortCommand } from './commands/abort.js';
import { approveCommand } from './commands/approve.js';
import { devCommand } from './commands/dev.js';
import { driftCommand } from './commands/drift.js';
import { freezeCommand } from './commands/freeze.js';
import { guardCommand } from './commands/guard.js';
import { historyCommand } from './commands/history.js';
import { doraCommand } from './commands/dora.js';
import { auditCommand } from './commands/audit.js';
import { listCommand } from './commands/list.js';
import { loginCommand, logoutCommand } from './commands/login.js';
import { pauseCommand } from './commands/pause.js';
import { policyCommand } from './commands/policy.js';
import { promoteCommand } from './commands/promote.js';
import { rejectCommand } from './commands/reject.js';
import { resumeCommand } from './commands/resume.js';
import { retryCommand } from './commands/retry.js';
import { rollbackCommand } from './commands/rollback.js';
import { serverCommand } from './commands/server.js';
import { skipCommand } from './commands/skip.js';
import { windowOverrideCommand } from './commands/window-override.js';
import { statusCommand } from './commands/status.js';
import { tokenCommand } from './commands/token.js';
import { validateCommand } from './commands/validate.js';
import { workerCommand } from './commands/worker.js';
import { didYouMean } from './did-you-mean.js';
import { ExitCode, exitCodesUsage } from './exit-codes.js';
import { rampVersion } from './version.js';

/** In the order `ramp --help` lists them: the life of a promotion. */
const commands: readonly Command[] = [
  validateCommand,
  promoteCommand,
  statusCommand,
  listCommand,
  approveCommand,
  rejectCommand,
  pauseCommand,
  resumeCommand,
  skipCommand,
  windowOverrideCommand,
  retryCommand,
  abortCommand,
  rollbackCommand,
  historyCommand,
  doraCommand,
  auditCommand,
  driftCommand,
  freezeCommand,
  guardCommand,
  policyCommand,
  workerCommand,
  serverCommand,
  devCommand,
  loginCommand,
  logoutCommand,
  tokenCommand,
];

function help(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return `ramp — progressive delivery through a GitOps repository, on Temporal

Usage: ramp <command> [options]

Commands:
${commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join('\n')}

Run \`ramp <command> --help\` for a command's options, \`ramp --version\` for the version.

Temporal: TEMPORAL_ADDRESS (default 127.0.0.1:7233), TEMPORAL_NAMESPACE (default default),
RAMP_TASK_QUEUE (default ramp); --address, --namespace, --task-queue override them.
Through ramp server instead: RAMP_SERVER=URL or \`ramp --server URL <command>\` (docs/cli.md).

${exitCodesUsage('ok', 'failed or refused (the reason is printed)')}
`;
}

export async function main(argv: string[], io: CommandIo): Promise<ExitCode> {
  let server: string | undefined;
  try {
    ({ argv, server } = takeServerFlag(argv));
  } catch (error) {
    io.stderr(`ramp: ${(error as Error).message}\n`);
    return ExitCode.Usage;
  }
  if (server !== undefined) io = { ...io, env: { ...envOf(io), RAMP_SERVER: server } };
  const [name, ...args] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout(help());
    return name === undefined ? ExitCode.Usage : ExitCode.Ok;
  }
  if (name === '--version' || name === '-V' || name === 'version') {
    io.stdout(`ramp ${rampVersion()}\n`);
    return ExitCode.Ok;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) {
    const names = commands.map((c) => c.name);
    const what = name.startsWith('-') ? `unknown option ${name}` : `unknown command "${name}"`;
    io.stderr(
      `ramp: ${what}${didYouMean(name, name.startsWith('-') ? ['--help', '--version'] : [...names, 'help', 'version'])}\nCommands: ${names.join(', ')}\n`,
    );
    return ExitCode.Usage;
  }
  if (server !== undefined && LOCAL_COMMANDS.includes(command.name)) {
    io.stderr(`ramp ${command.name}: runs here, not through ramp server: drop --server\n`);
    return ExitCode.Usage;
  }
  if (args.includes('--help') || args.includes('-h')) {
    io.stdout(`${command.usage}\n`);
    return ExitCode.Ok;
  }
  try {
    return await command.run(args, io);
  } catch (error) {
    return report(error, command, io);
  }
}

function report(error: unknown, command: Command, io: CommandIo): ExitCode {
  if (error instanceof UsageError || isParseArgsError(error)) {
    io.stderr(`ramp ${command.name}: ${usageMessage(error as Error, command)}\nUsage: ${command.usage.split('\n')[0]}\n`);
    return ExitCode.Usage;
  }
  if (error instanceof UserError) {
    io.stderr(`ramp ${command.name}: ${error.message}\n`);
    return ExitCode.Failure;
  }
  const kind = error instanceof InternalError ? 'internal error' : 'unexpected error';
  io.stderr(
    `ramp ${command.name}: ${kind} (this is a bug in ramp; please report it with this output):\n${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  return ExitCode.Internal;
}

/**
 * A usage error as one line. node's "Unknown option '--colour'. To specify a positional argument
 * starting with a '-', ..." becomes "unknown option --colour; did you mean --color?", the
 * candidates being the flags the command's usage text documents.
 */
function usageMessage(error: Error, command: Command): string {
  const unknown = (error as { code?: unknown }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' ? /Unknown option '([^']*)'/.exec(error.message)?.[1] : undefined;
  if (unknown === undefined) return error.message;
  return `unknown option ${unknown}${didYouMean(unknown, documentedFlags(command))}`;
}

/** Every `--flag` a command's usage text mentions, and --help. */
export function documentedFlags(command: Pick<Command, 'usage'>): string[] {
  return [...new Set([...command.usage.matchAll(/(?<![\w-])--[a-z][a-z0-9-]*/g)].map((m) => m[0])), '--help'];
}

function isParseArgsError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS_');
}

/** Runs `ramp` with this process's arguments and streams; sets the exit code. */
export async function runFromProcess(): Promise<void> {
  const io: CommandIo = {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    isTty: Boolean(process.stdout.isTTY),
    color: Boolean(process.stdout.isTTY) && !process.env.NO_COLOR,
    size: () => ({ columns: process.stdout.columns ?? 0, rows: process.stdout.rows ?? 0 }),
    cwd: process.cwd(),
  };
  process.exitCode = await main(process.argv.slice(2), io);
}
