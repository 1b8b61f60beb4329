/** Exit codes of the `ramp` command, documented in the README. */
export const ExitCode = {
  /** Success; for `validate`, every pipeline is valid. */
  Ok: 0,
  /** The command ran and found a problem (an invalid pipeline, a failed promotion). */
  Failure: 1,
  /** Wrong usage: unknown command or flag, missing argument, unreadable path. */
  Usage: 2,
  /** A bug in ramp. */
  Internal: 70,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];
