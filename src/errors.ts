/**
 * ramp's error classes. Each has a stable `name`; the CLI maps them to exit codes in one place
 * (cli/main.ts). Messages say what was being done, to what, and what to do next.
 */

/** The caller used a command wrongly: unknown flag, missing argument, unreadable path. Exit 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Input the user gave is wrong in a way they can fix (a pipeline that does not validate). Exit 1. */
export class UserError extends Error {
  override readonly name = 'UserError';
}

/** This is a bug in ramp: an invariant broke. Exit 70. */
export class InternalError extends Error {
  override readonly name = 'InternalError';
}
