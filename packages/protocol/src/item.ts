/** An item read from memcached. */
export interface Item {
  readonly key: string;
  /**
   * The value bytes. A view into the buffer it was read into (no copy):
   * valid for as long as you hold it, but it keeps that buffer alive — at
   * most 64 KiB for a value under 16 KiB, up to 1 MiB for a larger one (read
   * with other large replies); copy a value you keep for long.
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
