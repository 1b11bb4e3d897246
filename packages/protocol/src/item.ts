/** An item read from memcached. */
export interface Item {
  readonly key: string;
  /**
   * The value bytes. A view into the socket chunk it arrived in (no copy):
   * valid for as long as you hold it, but it keeps that chunk (≤ 64 KiB) alive;
   * copy a small value you keep for long.
   */
  readonly value: Buffer;
  /** The item's 32-bit client flags. */
  readonly flags: number;
  /** The item's CAS id: pass it back as `{ cas }` to write only if nobody else has. */
  readonly cas: bigint;
  /**
   * Epoch of the server process the item was read from (see
   * `ServerInfo.epoch`); pass it with the CAS as `{ cas, epoch }` so a CAS
   * from before a server restart is refused instead of matching by accident.
   */
  readonly epoch: string;
}
