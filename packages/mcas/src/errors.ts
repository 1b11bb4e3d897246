/**
 * Typed errors of @mcc/mcas. Like every mcc error they extend `McError`
 * (re-exported from @mcc/codec) and carry a stable `code`: match on `code`
 * or `McError.isMcError`, not on messages.
 *
 * | class                     | code                          | meaning                                        |
 * |---------------------------|-------------------------------|------------------------------------------------|
 * | McasCorruptionError       | MCC_ERR_MCAS_CORRUPTION       | a reference points at a missing/invalid record |
 * | McasOutcomeUnknownError   | MCC_ERR_MCAS_OUTCOME_UNKNOWN  | mcas could not learn whether it took effect    |
 * | McasContentionError       | MCC_ERR_MCAS_CONTENTION       | a read kept meeting new MCAS in flight, or mcasUpdate kept losing |
 */
import { McError, quoteKey as quote } from '@mcc/codec';

/**
 * A location holds a descriptor reference whose descriptor (or a split-out
 * new value it needs) is gone or unreadable, and the location did not change
 * while we looked: memcached evicted or lost the record (run MCAS servers
 * with `-M`), a server restarted, or something outside mcc wrote MCAS keys.
 * The location cannot be resolved automatically: its value before the MCAS
 * is in the reference record (`describeLocation`), so an operator can repair it.
 */
export class McasCorruptionError extends McError {
  static readonly code = 'MCC_ERR_MCAS_CORRUPTION';
  /** The location (user key) holding the dangling reference. */
  readonly location: string;
  /** The descriptor key the reference points at. */
  readonly descriptorKey: string;
  /** What is missing or invalid. */
  readonly reason: string;

  constructor(location: string, descriptorKey: string, reason: string, options: { cause?: unknown; server?: string } = {}) {
    super(
      McasCorruptionError.code,
      `MCAS corruption at key ${quote(location)}: it references descriptor ${quote(descriptorKey)}, but ${reason}`,
      { ...options, key: location },
    );
    this.location = location;
    this.descriptorKey = descriptorKey;
    this.reason = reason;
  }
}

/**
 * `mcas` lost contact (a lost reply, a timeout, a dropped connection) at a
 * point where the outcome could not be settled by re-reading: the decision
 * on the descriptor may or may not have been written. The MCAS is atomic
 * either way — all entries changed or none — and any reader completes it;
 * `await mcasOutcome(store, error.descriptorKey)` tells which once the
 * servers answer again.
 */
export class McasOutcomeUnknownError extends McError {
  static readonly code = 'MCC_ERR_MCAS_OUTCOME_UNKNOWN';
  /** The MCAS's descriptor key: pass it to `mcasOutcome`. '' for a single-entry MCAS (a plain CAS, no descriptor): read its key instead. */
  readonly descriptorKey: string;

  constructor(descriptorKey: string, reason: string, options: { cause?: unknown; key?: string; server?: string } = {}) {
    super(
      McasOutcomeUnknownError.code,
      `the outcome of MCAS ${quote(descriptorKey)} is unknown: ${reason}; ` +
        'it is atomic either way, and mcasOutcome(store, descriptorKey) settles it once the servers answer',
      options,
    );
    this.descriptorKey = descriptorKey;
  }
}

/**
 * A read met a new MCAS in flight at the same key more times than the retry
 * budget allows. Every round was progress by other clients (lock-freedom
 * guarantees that), but this caller gave up rather than wait forever.
 */
export class McasContentionError extends McError {
  static readonly code = 'MCC_ERR_MCAS_CONTENTION';
  /** Rounds of helping that were tried. */
  readonly attempts: number;

  constructor(key: string, attempts: number, message = `key ${quote(key)} was taken by a new MCAS in flight ${attempts} times in a row; try again`) {
    super(McasContentionError.code, message, { key });
    this.attempts = attempts;
  }
}
