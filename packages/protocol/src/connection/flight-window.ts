/**
 * How many request bytes a connection lets travel unanswered: once the
 * requests written and not yet answered add up to the limit, further
 * requests wait in the connection's queue (within their own timeouts) until
 * replies drained half of it, so they go out in batches, not one per reply.
 *
 * Why: with 64 sets of 100 KiB in flight, ~6.4 MB sit in the two sockets'
 * kernel buffers between the client and memcached; bounded to 1 MiB the
 * set cell ran ~13 % faster with less kernel time per set on both sides
 * (BENCHMARKS.md, "Large values and the flight window"). Only request bytes
 * count: bounding gets by their replies' size (a running average) made
 * `get 100 KiB × 64` slower on a quiet machine (the pipe ran dry between
 * batches: both processes idle a third of the time), so gets are held back
 * only by the bytes they write, which are few. Small requests never meet the
 * bound (64 sets of 1 KiB write ~70 KiB). At least one request is always in
 * flight, so a value larger than the limit still goes (alone).
 */
export class FlightWindow {
  #inFlight = 0;
  /** Once full, the window stays shut until half of it drained. */
  #shut = false;

  constructor(private readonly limit: number) {}

  /** Whether another request may be written now. */
  get open(): boolean {
    return !this.#shut;
  }

  /** A request of `bytes` was written; returns its charge, to be passed to {@link settled}. */
  charge(bytes: number): number {
    this.#inFlight += bytes;
    if (this.#inFlight >= this.limit) this.#shut = true;
    return bytes;
  }

  /** A request charged `charge` settled (its reply arrived, or a later one proved it silent). */
  settled(charge: number): void {
    this.#inFlight = Math.max(0, this.#inFlight - charge);
    if (this.#shut && this.#inFlight <= this.limit / 2) this.#shut = false;
  }

  /** The connection dropped: nothing is in flight any more. */
  reset(): void {
    this.#inFlight = 0;
    this.#shut = false;
  }
}
