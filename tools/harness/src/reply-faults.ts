/**
 * Which server→client bytes a {@link FaultProxy} breaks, and how: faults
 * armed one at a time (deterministic: "the next reply", "after N more
 * bytes") and faults drawn at random per reply from a seeded generator (the
 * same seed gives the same sequence of decisions).
 *
 * A "reply" here is one chunk read from the server: the proxy does not parse
 * frames, so pipelined replies that arrive together count as one, and a cut
 * "after N bytes" lands wherever byte N is — inside a frame if that is
 * where it falls.
 */

import { seededRandom } from './seeded-random';

/**
 * - 'cut': from the fault's position on, nothing reaches the client and the
 *   connection is closed (both sides): the server applied the request, the
 *   client sees the connection close before (or, after N bytes, inside) the reply.
 * - 'tear': half of the rest of the chunk (or `keepBytes`) is delivered, then
 *   the connection is closed: a reply torn in its middle.
 * - 'stall': the bytes are held for `stallMs` (the connection's later bytes
 *   queue behind them), then forwarded: a client with a shorter request
 *   timeout gives up first.
 */
export type ReplyFaultKind = 'cut' | 'tear' | 'stall';

export interface ReplyFault {
  readonly kind: ReplyFaultKind;
  /** Forward this many more server→client bytes (over all connections) first; default 0: the next reply. */
  readonly afterBytes?: number;
  /**
   * Let this many replies (chunks, over all connections) through first; default
   * 0. For a client that sends one request at a time, "the reply to its
   * third request from now" is `afterReplies: 2`.
   */
  readonly afterReplies?: number;
  /** 'tear': bytes of the chunk to deliver before closing; default half of it. */
  readonly keepBytes?: number;
  /** 'stall': how long to hold the reply, ms; default 1000. */
  readonly stallMs?: number;
}

export interface RandomReplyFaults {
  /** Seed of the generator (any integer): the same seed, the same decisions. */
  readonly seed: number;
  /** Chance that a reply is hit, 0..1. */
  readonly probability: number;
  /** Kinds to choose from, uniformly; default all three. */
  readonly kinds?: readonly ReplyFaultKind[];
  /** 'stall' duration, ms; default 1000. */
  readonly stallMs?: number;
}

/** What a link must do with one server→client chunk. */
export type ReplyAction =
  | { readonly kind: 'pass' }
  /** Forward `offset` bytes, then cut the connection. */
  | { readonly kind: 'cut'; readonly offset: number }
  /** Forward `offset` bytes, then hold the rest for `ms`. */
  | { readonly kind: 'stall'; readonly offset: number; readonly ms: number };

export interface ReplyFaultCounts {
  readonly cut: number;
  readonly tear: number;
  readonly stall: number;
}

const DEFAULT_STALL_MS = 1000;
const ALL_KINDS: readonly ReplyFaultKind[] = ['cut', 'tear', 'stall'];

export function validateReplyFault(fault: ReplyFault): void {
  if (!ALL_KINDS.includes(fault.kind)) throw new RangeError(`unknown reply fault kind "${String(fault.kind)}"`);
  for (const field of ['afterBytes', 'afterReplies', 'keepBytes', 'stallMs'] as const) {
    const value = fault[field];
    if (value !== undefined && !(Number.isInteger(value) && value >= 0)) throw new RangeError(`${field} must be a non-negative integer, got ${value}`);
  }
}

export function validateRandomFaults(random: RandomReplyFaults): void {
  if (!Number.isInteger(random.seed)) throw new RangeError(`seed must be an integer, got ${random.seed}`);
  if (!(random.probability >= 0 && random.probability <= 1)) throw new RangeError(`probability must be within 0..1, got ${random.probability}`);
  const kinds = random.kinds ?? ALL_KINDS;
  if (kinds.length === 0 || kinds.some((kind) => !ALL_KINDS.includes(kind))) throw new RangeError(`kinds must be some of ${ALL_KINDS.join(', ')}`);
  if (random.stallMs !== undefined && !(Number.isInteger(random.stallMs) && random.stallMs >= 0)) throw new RangeError(`stallMs must be a non-negative integer, got ${random.stallMs}`);
}

/** The armed and random faults of one proxy, and how many of each were injected. */
export class ReplyFaults {
  readonly #armed: { fault: ReplyFault; position: number; repliesToSkip: number }[] = [];
  #random: { config: RandomReplyFaults; next: () => number } | null = null;
  readonly #counts = { cut: 0, tear: 0, stall: 0 };

  /** Arms `fault` at stream position `position` (bytes forwarded to clients so far plus afterBytes). */
  arm(fault: ReplyFault, position: number): void {
    validateReplyFault(fault);
    this.#armed.push({ fault, position, repliesToSkip: fault.afterReplies ?? 0 });
  }

  /** Disarms every armed fault and stops the random ones; returns how many armed faults never fired. */
  clear(): number {
    const unfired = this.#armed.length;
    this.#armed.length = 0;
    this.#random = null;
    return unfired;
  }

  setRandom(config: RandomReplyFaults | null): void {
    if (config !== null) validateRandomFaults(config);
    this.#random = config === null ? null : { config, next: seededRandom(config.seed) };
  }

  get counts(): ReplyFaultCounts {
    return { ...this.#counts };
  }

  /**
   * Decides for a chunk of `length` bytes starting at stream position
   * `start`: the armed fault of lowest position inside it, else (if
   * `random`) a random draw. The held rest of a stalled chunk is decided
   * again with `random` false.
   */
  decide(start: number, length: number, random = true): ReplyAction {
    let index = -1;
    this.#armed.forEach(({ position, repliesToSkip }, at) => {
      if (repliesToSkip === 0 && position < start + length && (index < 0 || position < this.#armed[index]!.position)) index = at;
    });
    // A reply let through counts for the faults still waiting for replies (not for the held rest of a stall).
    if (index < 0 && random) for (const armed of this.#armed) if (armed.repliesToSkip > 0) armed.repliesToSkip -= 1;
    if (index >= 0) {
      const [{ fault, position }] = this.#armed.splice(index, 1) as [{ fault: ReplyFault; position: number; repliesToSkip: number }];
      return this.#act(fault, Math.max(0, position - start), length);
    }
    return random ? this.#draw(length) : { kind: 'pass' };
  }

  #draw(length: number): ReplyAction {
    const random = this.#random;
    if (random === null || random.config.probability === 0) return { kind: 'pass' };
    // Two draws per chunk whatever happens, so the sequence of decisions depends on the seed alone.
    const hit = random.next() < random.config.probability;
    const kinds = random.config.kinds ?? ALL_KINDS;
    const kind = kinds[Math.floor(random.next() * kinds.length)]!;
    if (!hit) return { kind: 'pass' };
    return this.#act({ kind, ...(random.config.stallMs === undefined ? {} : { stallMs: random.config.stallMs }) }, 0, length);
  }

  #act(fault: ReplyFault, offset: number, length: number): ReplyAction {
    this.#counts[fault.kind] += 1;
    if (fault.kind === 'cut') return { kind: 'cut', offset };
    if (fault.kind === 'stall') return { kind: 'stall', offset, ms: fault.stallMs ?? DEFAULT_STALL_MS };
    const rest = length - offset;
    return { kind: 'cut', offset: offset + Math.min(rest, fault.keepBytes ?? Math.floor(rest / 2)) };
  }
}
