/**
 * The status of an MCAS descriptor and its only transitions:
 *
 * ```
 *                 ┌──────────────> SUCCEEDED (1)   every location was acquired
 *   UNDECIDED (0) ┤
 *                 └──────────────> FAILED (2)      a location's CAS no longer matched
 * ```
 *
 * A decision is written once, with a CAS on the descriptor as it was created,
 * and never undone: whoever decides first wins, everyone else reads it.
 */
export const McasStatus = Object.freeze({
  Undecided: 0,
  Succeeded: 1,
  Failed: 2,
} as const);

export type McasStatus = (typeof McasStatus)[keyof typeof McasStatus];

/** A final status. */
export type DecidedStatus = typeof McasStatus.Succeeded | typeof McasStatus.Failed;

export function isMcasStatus(value: unknown): value is McasStatus {
  return value === McasStatus.Undecided || value === McasStatus.Succeeded || value === McasStatus.Failed;
}

export function isDecided(status: McasStatus): status is DecidedStatus {
  return status !== McasStatus.Undecided;
}

/** Whether a descriptor may go from `from` to `to`: only UNDECIDED → a decision. */
export function canTransition(from: McasStatus, to: McasStatus): boolean {
  return from === McasStatus.Undecided && isDecided(to);
}

export function statusName(status: McasStatus): string {
  return status === McasStatus.Undecided ? 'UNDECIDED' : status === McasStatus.Succeeded ? 'SUCCEEDED' : 'FAILED';
}
