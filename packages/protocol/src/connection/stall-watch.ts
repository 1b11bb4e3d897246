/**
 * Unsticks a TLS connection that memcached stopped reading.
 *
 * memcached 1.6.18 with `-Z` reads a TLS connection one record at a time and
 * waits for the socket to become readable again; requests whose bytes it has
 * already pulled into its TLS buffer then wait until more bytes arrive —
 * the tail of a pipelined burst can sit unanswered forever (seen here: 256
 * pipelined 100-byte sets, the last ~15 answered only when another request
 * came). While requests are in flight, this watch checks every
 * `intervalMs`; after an interval with requests waiting and no reply at
 * all, it sends one NOOP, whose bytes make the server read on. At most one
 * NOOP per silence; nothing happens while replies flow.
 */
export class StallWatch {
  /** Replies seen; bumped by the connection on each reply. */
  #replies = 0;
  #seen = 0;
  #nudged = false;
  #timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly intervalMs: number,
    /** Whether requests are in flight on a usable socket. */
    private readonly waiting: () => boolean,
    /** Sends the NOOP. */
    private readonly nudge: () => void,
  ) {}

  /** Requests were written. */
  wrote(): void {
    if (this.#timer === null) this.#arm();
  }

  replied(): void {
    this.#replies++;
    this.#nudged = false;
  }

  stop(): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
  }

  #arm(): void {
    this.#seen = this.#replies;
    this.#timer = setTimeout(this.#check, this.intervalMs);
    this.#timer.unref();
  }

  readonly #check = (): void => {
    this.#timer = null;
    if (!this.waiting()) return;
    if (this.#replies === this.#seen && !this.#nudged) {
      this.#nudged = true;
      this.nudge();
    }
    this.#arm();
  };
}
