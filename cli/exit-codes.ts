/** Exit codes of the `ramp` command, documented in the README, docs/cli.md and every usage text. */
export const ExitCode = {
  /** Success; for `validate`, every pipeline is valid; for `promote --wait`, the promotion succeeded. */
  Ok: 0,
  /**
   * The command ran and found a problem (an invalid pipeline, a failed promotion), or Temporal or
   * the workflow refused it (with the reason), or Temporal could not be reached: the message
   * then says what was tried, what is at the address and what to do (src/settings/diagnose.ts).
   */
  Failure: 1,
  /** Wrong usage: unknown command or flag, missing argument, unreadable path, an invalid setting (RAMP_*, TEMPORAL_*). */
  Usage: 2,
  /** A bug in ramp; never a connection failure or bad input. */
  Internal: 70,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** The exit-code paragraph of a usage text: what 0 and 1 mean for this command. */
export function exitCodesUsage(ok: string, failure: string): string {
  return `Exit codes: 0 ${ok}, 1 ${failure}, 2 usage error, 70 a bug in ramp.`;
}
