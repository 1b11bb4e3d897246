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

/** Where the README explains what a changed server list does to deques. */
const SERVER_LIST_SECTION = 'see "Changing the server list" in the @mcc/deque README';

/**
 * The deque's anchor is absent: never created, destroyed, or lost with its
 * server (see DequeCorruptedError) — or on another server than the server
 * list names for it (`foundOn`: the list changed).
 */
export class DequeNotFoundError extends McError {
  static readonly code = 'MCC_ERR_DEQUE_NOT_FOUND';
  readonly deque: string;
  /** Servers other than the anchor's owner that hold an anchor of this name: empty unless the server list changed. */
  readonly foundOn: readonly string[];
  /** @param elsewhere where the anchor was found instead: its owner under the current list, and the servers holding it */
  constructor(deque: string, key: string, elsewhere?: { readonly owner: string; readonly foundOn: readonly string[] }) {
    super(
      DequeNotFoundError.code,
      elsewhere === undefined || elsewhere.foundOn.length === 0
        ? `deque "${deque}" does not exist (anchor ${key} is missing: never created, destroyed, or evicted)`
        : `deque "${deque}" is not on ${elsewhere.owner}, where the server list places its anchor ${key}, but an anchor of that name is on ${elsewhere.foundOn.join(', ')}: ` +
            `the server list probably changed, and mcc never remaps keys (${SERVER_LIST_SECTION})`,
      elsewhere === undefined ? { key } : { key, server: elsewhere.owner },
    );
    this.deque = deque;
    this.foundOn = Object.freeze([...(elsewhere?.foundOn ?? [])]);
  }
}

/**
 * `Deque.create` or `open` found no anchor on the server the server list
 * places it on, but one on another server: the list changed since the deque
 * was created. Refused before anything was written — creating it would make
 * a second deque of the same name.
 */
export class DequePlacementError extends McError {
  static readonly code = 'MCC_ERR_DEQUE_PLACEMENT';
  readonly deque: string;
  /** The server the current list places the anchor on (it holds none). */
  readonly owner: string;
  /** The servers that hold an anchor of this name. */
  readonly foundOn: readonly string[];
  constructor(deque: string, key: string, owner: string, foundOn: readonly string[]) {
    super(
      DequePlacementError.code,
      `deque "${deque}" was not created: its anchor ${key} lives on ${foundOn.join(', ')}, but the server list places it on ${owner}. ` +
        `The server list probably changed (a server added, removed or renamed, a weight changed, or clients running with different lists); ` +
        `mcc never remaps keys, so creating it on ${owner} would make a second deque of that name. Nothing was written (${SERVER_LIST_SECTION})`,
      { key, server: owner },
    );
    this.deque = deque;
    this.owner = owner;
    this.foundOn = Object.freeze([...foundOn]);
  }
}

/**
 * `Deque.create` or `open` found no anchor on the anchor's owner, and could
 * not read another server to make sure the deque does not live there (after
 * a change of the server list). Refused before anything was written; try
 * again once every server answers. The first failure is the `cause`.
 */
export class DequePlacementUnknownError extends McError {
  static readonly code = 'MCC_ERR_DEQUE_PLACEMENT_UNKNOWN';
  readonly deque: string;
  /** The server the current list places the anchor on (it holds none). */
  readonly owner: string;
  /** The servers that could not be read. */
  readonly unreadable: readonly string[];
  constructor(deque: string, key: string, owner: string, unreadable: readonly string[], cause: unknown) {
    super(
      DequePlacementUnknownError.code,
      `deque "${deque}" was not created: its anchor ${key} is not on ${owner}, and ${unreadable.join(', ')} could not be read to make sure it does not live there ` +
        `(after a change of the server list, creating it would make a second deque of that name). Nothing was written; try again when every server answers (${SERVER_LIST_SECTION})`,
      { key, server: owner, cause },
    );
    this.deque = deque;
    this.owner = owner;
    this.unreadable = Object.freeze([...unreadable]);
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
 * Layers above use it for their own moves between deques (`@mcc/queue`'s
 * redrive: `value` then says what may have moved, see its README).
 */
export class DequeOutcomeUnknownError extends McError {
  static readonly code = 'MCC_ERR_DEQUE_OUTCOME_UNKNOWN';
  readonly deque: string;
  /** 'pop', 'push', or 'move' (within one deque; or a layer above's move between deques). */
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
