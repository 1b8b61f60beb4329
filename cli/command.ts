/** The shape every `ramp` subcommand has. */
import type { ExitCode } from './exit-codes.js';

export interface CommandIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Whether stdout is a terminal (live views redraw the screen; colours unless `color` says otherwise). */
  isTty: boolean;
  cwd: string;
  /** Whether to colour output. @default isTty */
  color?: boolean;
  /** The terminal's size, read at every redraw (live views fit it). @default 100 columns, 32 rows */
  size?: () => TerminalSize;
  /**
   * The environment the command reads its settings from (TEMPORAL_ADDRESS, RAMP_TASK_QUEUE, ...).
   * Tests pass their own instead of changing the process's. @default process.env
   */
  env?: Readonly<Record<string, string | undefined>>;
}

export interface TerminalSize {
  columns: number;
  rows: number;
}

export interface Command {
  name: string;
  summary: string;
  usage: string;
  run(args: string[], io: CommandIo): Promise<ExitCode>;
}

/** The environment a command reads. */
export function envOf(io: CommandIo): Readonly<Record<string, string | undefined>> {
  return io.env ?? process.env;
}

/** The terminal's size (a default one when unknown). */
export function sizeOf(io: CommandIo): TerminalSize {
  const size = io.size?.();
  return size && size.columns > 0 && size.rows > 0 ? size : { columns: 100, rows: 32 };
}

/** Whether a command colours its output. */
export function colorOf(io: CommandIo): boolean {
  return io.color ?? io.isTty;
}
