/**
 * What an error tells about whether the operation it ended took effect.
 *
 * - 'unknown': the request may have reached the server and the reply was
 *   lost (a closed connection, a timeout, the libraries' *_OUTCOME_UNKNOWN
 *   errors). The operation is recorded open-ended, as Jepsen records an
 *   `:info` operation: it may have taken effect at any time after its
 *   invocation, or never.
 * - 'not-applied': the libraries promise that nothing changed (a server that
 *   could not be reached, bad input refused before any write, a read that
 *   kept meeting contention). The operation is dropped from the history —
 *   if it did change something after all, the checker finds the history
 *   not linearizable, which is exactly the broken promise to report.
 * - 'unexpected': anything else (corruption, a plain TypeError, a crash).
 *   Also recorded open-ended, so the check stays sound, but counted
 *   separately: a test should expect none.
 */
export type ErrorOutcome = 'unknown' | 'not-applied' | 'unexpected';

/** Codes after which a write may or may not have been applied. */
const UNKNOWN_CODES: ReadonlySet<string> = new Set([
  'MCC_ERR_CONNECTION_CLOSED',
  'MCC_ERR_TIMEOUT',
  'MCC_ERR_MCAS_OUTCOME_UNKNOWN',
  'MCC_ERR_DEQUE_OUTCOME_UNKNOWN',
]);

/** Codes the libraries document as "nothing was written". */
const NOT_APPLIED_CODES: ReadonlySet<string> = new Set([
  'MCC_ERR_CONNECTION',
  'MCC_ERR_CLIENT_CLOSED',
  'MCC_ERR_QUEUE_FULL',
  'MCC_ERR_INVALID_KEY',
  'MCC_ERR_INVALID_ARGUMENT',
  'MCC_ERR_VALUE_TOO_LARGE',
  'MCC_ERR_ENCODE',
  'MCC_ERR_CAS_UNSUPPORTED',
  'MCC_ERR_STALE_CAS',
  'MCC_ERR_MCAS_CONTENTION',
]);

/** The `code` of an mcc error (matched by code, so a second copy of a package still counts), or undefined. */
export function errorCode(error: unknown): string | undefined {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'string' ? code : undefined;
}

/** The default classification of an operation's error; see {@link ErrorOutcome}. */
export function classifyError(error: unknown): ErrorOutcome {
  const code = errorCode(error);
  if (code === undefined) return 'unexpected';
  if (UNKNOWN_CODES.has(code) || code.endsWith('_OUTCOME_UNKNOWN')) return 'unknown';
  if (NOT_APPLIED_CODES.has(code)) return 'not-applied';
  return 'unexpected';
}

/** Codes after which a write at the protocol level may or may not have been applied. */
const LOST_REPLY_CODES: ReadonlySet<string> = new Set(['MCC_ERR_CONNECTION_CLOSED', 'MCC_ERR_TIMEOUT']);

/**
 * The classification for a layer that resolves lost replies itself, as
 * @mcc/deque does (the protocol's README: "higher layers resolve this
 * themselves"): only its *_OUTCOME_UNKNOWN errors leave the outcome open; a
 * closed connection or a timeout that escapes it means the operation did not
 * take effect (it failed in a read, or before its one linearizing write).
 * Stricter than {@link classifyError}: every history it accepts, the default
 * accepts too; what only it rejects is a broken promise about errors.
 */
export function classifyResolvedError(error: unknown): ErrorOutcome {
  const code = errorCode(error);
  if (code !== undefined && LOST_REPLY_CODES.has(code)) return 'not-applied';
  return classifyError(error);
}
