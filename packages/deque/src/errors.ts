/**
 * Errors of @mcc/deque. Each carries a stable `code`; match on it (or use
 * `McError.isMcError`) rather than on messages.
 */
import { McError } from '@mcc/mcas';

/** `Deque.create` with a name that is taken. */
export class DequeExistsError extends McError {
  static readonly code = 'MCC_ERR_DEQUE_EXISTS';
  readonly deque: string;
  constructor(deque: string, key: string) {
    super(DequeExistsError.code, `deque "${deque}" already exists`, { key });
    this.deque = deque;
  }
}

/** The deque's anchor is absent: never created, destroyed, or lost with its server (see DequeCorruptedError). */
export class DequeNotFoundError extends McError {
  static readonly code = 'MCC_ERR_DEQUE_NOT_FOUND';
  readonly deque: string;
  constructor(deque: string, key: string) {
    super(DequeNotFoundError.code, `deque "${deque}" does not exist (anchor ${key} is missing: never created, destroyed, or evicted)`, { key });
    this.deque = deque;
  }
}

/**
 * A record the deque needs is gone — a chunk or a large value evicted, or a
 * server restarted — seen twice with nothing changed between. The deque
 * cannot be read past it; nothing is skipped silently.
 */
export class DequeCorruptedError extends McError {
  static readonly code = 'MCC_ERR_DEQUE_CORRUPTED';
  readonly deque: string;
  /** The key of the missing or invalid record. */
  readonly missingKey: string;
  constructor(deque: string, missingKey: string, reason: string) {
    super(DequeCorruptedError.code, `deque "${deque}" is corrupted: ${reason} (${missingKey}). Run memcached with -M and enough memory (-m) so it never evicts, and do not restart servers that hold deques`, { key: missingKey });
    this.deque = deque;
    this.missingKey = missingKey;
  }
}

/**
 * The reply to the anchor CAS that would have completed this operation was
 * lost, and re-reading could not tell whether it happened. The value is
 * carried so nothing is lost silently: a pop's value may have been removed
 * from the deque (it is here), a push's value may or may not be in it, a
 * move within one deque (a rotation) left it in the deque at one end or the other.
 */
export class DequeOutcomeUnknownError extends McError {
  static readonly code = 'MCC_ERR_DEQUE_OUTCOME_UNKNOWN';
  readonly deque: string;
  /** 'pop', 'push', or 'move' (within one deque). */
  readonly operation: 'pop' | 'push' | 'move';
  /** The popped value (or the pushed value(s), for a push). */
  readonly value: unknown;
  constructor(deque: string, operation: 'pop' | 'push' | 'move', value: unknown, cause: unknown) {
    super(DequeOutcomeUnknownError.code, `deque "${deque}": the reply to a ${operation} was lost and its outcome could not be determined; the error carries the value`, { cause });
    this.deque = deque;
    this.operation = operation;
    this.value = value;
  }
}
