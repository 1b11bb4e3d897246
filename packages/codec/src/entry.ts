/**
 * What a {@link Store} hands out: an immutable snapshot of one item, with the
 * CAS id (and the server epoch it belongs to) needed to change it
 * conditionally.
 */
export interface Entry<T = unknown> {
  readonly key: string;
  /**
   * The decoded value. For an entry returned by a write it is the value you
   * passed (not a copy, and not read back).
   */
  readonly value: T;
  /** The item's CAS id: `store.cas(entry, …)` writes only if it is unchanged. */
  readonly cas: bigint;
  /**
   * The server process the CAS belongs to (`"<pid>:<start time>"`). A CAS
   * from before a server restart is refused with StaleCasError instead of
   * matching an unrelated item.
   */
  readonly epoch: string;
  /** Record kind from the item flags: 0 for a user value; 1-4 are used by @mcc/mcas and @mcc/deque. */
  readonly kind: number;
}

/** Options of the Store's writes. */
export interface WriteOptions {
  /** Seconds until expiry; 0 (default) = never; over 30 days it is a Unix time. Every write sets it anew, `cas` included. */
  ttl?: number;
  /** Record kind stored in the flags, 0-255. Default 0 (a user value), on every write, `cas` included. */
  kind?: number;
}

/** What a conditional write needs of an entry: an Entry, or the key, CAS and epoch learned from a reply. */
export type CasTarget = Pick<Entry<unknown>, 'key' | 'cas' | 'epoch'>;
