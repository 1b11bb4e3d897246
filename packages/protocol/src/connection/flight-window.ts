/**
 * How many bytes a connection lets travel at once: the bytes of the requests
 * written and not yet answered, each charged what it wrote plus what its
 * reply is expected to take. Requests beyond the window wait in the
 * connection's queue (within their own timeout) until replies free room.
 *
 * Why: with 64 operations of 100 KiB in flight, ~6.4 MB sit in the two
 * sockets' kernel buffers between the client and memcached. Every byte is
 * copied into a socket buffer by one side and out of it by the other, and
 * with megabytes queued between the two copies the second one reads memory
 * that has long left the cache. Measured on a 2-core VM (BENCHMARKS.md,
 * "Large values"): bounding the bytes in flight to about 1 MiB cut the
 * client's kernel time per 100 KiB get and memcached's per 100 KiB set, with
 * the pipe still full (1 MiB is ~0.3 ms of loopback transfer, more than a
 * round trip). Small requests are never held back: 64 gets of 1 KiB charge
 * ~70 KiB.
 *
 * A get's reply size is not known before it arrives, so each request is
 * charged the running average of this connection's recent reply sizes.
 * At least one request is always in flight, so a value larger than the
 * window still goes (alone).
 */

/** The newest reply counts 1/AVERAGE_WEIGHT in the running average of reply sizes. */
const AVERAGE_WEIGHT = 8;

export class FlightWindow {
  #inFlight = 0;
  /** Running average of reply sizes, in bytes. */
  #replyEstimate = 0;

  constructor(private readonly limit: number) {}

  /** Once full, the window stays shut until half of it drained, so queued requests go out in batches, not one per reply. */
  #shut = false;

  /** Whether another request may be written now. */
  get open(): boolean {
    if (this.#shut) return false;
    if (this.#inFlight < this.limit) return true;
    this.#shut = true;
    return false;
  }

  /** A request that wrote `requestBytes` was sent; returns its charge, to be passed to {@link settled}. */
  charge(requestBytes: number): number {
    const charge = requestBytes + this.#replyEstimate;
    this.#inFlight += charge;
    return charge;
  }

  /** A request charged `charge` got its reply (of `replyBytes`, or null when it settled without one). */
  settled(charge: number, replyBytes: number | null): void {
    this.#inFlight = Math.max(0, this.#inFlight - charge);
    if (this.#shut && this.#inFlight <= this.limit / 2) this.#shut = false;
    if (replyBytes !== null) this.#replyEstimate += Math.trunc((replyBytes - this.#replyEstimate) / AVERAGE_WEIGHT);
  }

  /** The connection dropped: nothing is in flight any more (the estimate is kept). */
  reset(): void {
    this.#inFlight = 0;
    this.#shut = false;
  }
}
