/**
 * Errors of the CLI itself (bad arguments, a tool not built) and the exit
 * codes every command uses.
 */

/**
 * Exit codes of `mcc`:
 *
 * | code | meaning |
 * |---|---|
 * | 0   | success |
 * | 1   | a negative answer: a check failed (doctor, fsck, demo), a pop found the deque empty, a get found no key |
 * | 2   | usage: bad arguments or an invalid JSON value |
 * | 3   | an error: a connection, a missing deque, corruption, … (printed with its code and a fix) |
 * | 130 | interrupted (Ctrl-C) |
 */
export const EXIT_CODES = Object.freeze({
  ok: 0,
  negative: 1,
  usage: 2,
  error: 3,
  interrupted: 130,
});

/** An error raised by the CLI, with a stable `code` like the library's errors, an exit code and a fix. */
export class CliError extends Error {
  readonly code: string;
  readonly exitCode: number;
  /** A one-line fix, printed under the message. */
  readonly hint: string | undefined;

  constructor(code: string, message: string, options: { exitCode?: number; hint?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'CliError';
    this.code = code;
    this.exitCode = options.exitCode ?? EXIT_CODES.error;
    this.hint = options.hint;
  }
}
