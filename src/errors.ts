/**
 * ramp's error classes. Each has a stable `name`; the CLI maps them to exit codes in one place
 * (cli/main.ts). Messages say what was being done, to what, and what to do next.
 *
 * `instanceof` goes by that name, not by the class object: the bundled CLI (dist/cli/bundle)
 * runs the compiled worker (dist/worker), each with a copy of this module, and an error thrown
 * by one copy must still be recognised by the other.
 */

/** An `instanceof` that recognises an error of this name from any copy of this module. */
function byName(name: string): (value: unknown) => boolean {
  return (value) => value instanceof Error && value.name === name;
}

/** The caller used a command wrongly: unknown flag, missing argument, unreadable path. Exit 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
  static override [Symbol.hasInstance] = byName('UsageError');
}

/** Input the user gave is wrong in a way they can fix (a pipeline that does not validate). Exit 1. */
export class UserError extends Error {
  override readonly name = 'UserError';
  static override [Symbol.hasInstance] = byName('UserError');
}

/** This is a bug in ramp: an invariant broke. Exit 70. */
export class InternalError extends Error {
  override readonly name = 'InternalError';
  static override [Symbol.hasInstance] = byName('InternalError');
}
