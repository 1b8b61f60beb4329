/** The shape every `ramp` subcommand has. */
import type { ExitCode } from './exit-codes.js';

export interface CommandIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Whether stdout is a terminal (colours, live views). */
  isTty: boolean;
  cwd: string;
}

export interface Command {
  name: string;
  summary: string;
  usage: string;
  run(args: string[], io: CommandIo): Promise<ExitCode>;
}
