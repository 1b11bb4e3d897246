/**
 * Planning a batch: the pure heart of the deque.
 *
 * Given the anchor as read and a batch of operations (in the order callers
 * issued them), compute the anchor after all of them, what each pop
 * returns, which buffers must first be flushed into chunks, and what becomes
 * garbage. Nothing here does I/O: when a pop needs a chunk or an external
 * value that is not cached, the plan says so and the caller fetches it and
 * plans again. Committing the plan is one CAS on the anchor, which is the
 * linearization point of every operation in the batch.
 */
import { RECENT_BATCHES, combiningOf, hasChunks, type Anchor } from './anchor';
import type { Chunk } from './chunk';
import { isExternal, type Element } from './element';

export type Side = 'left' | 'right';

export type Operation =
  | { readonly kind: 'push'; readonly side: Side; readonly elements: readonly Element[] }
  /** `forOther`: popped for another process's announced pop (combine.ts), which fetches a large value itself: no fetch here. */
  | { readonly kind: 'pop'; readonly side: Side; readonly forOther?: boolean }
  /** Pop from one end and push the element onto the other end (or the same), of one deque: a rotation. */
  | { readonly kind: 'move'; readonly from: Side; readonly to: Side }
  /** The element at one end, without changing anything. */
  | { readonly kind: 'peek'; readonly side: Side };

/** What the planner may read without I/O. */
export interface PlanningCache {
  /** The chunk at `slot` created at sequence `base`; with `base` undefined, one fetched for the anchor being planned. */
  chunk(slot: number, base: number | undefined): Chunk | undefined;
  /** Whether the external value under `key` has been fetched. */
  hasValue(key: string): boolean;
}

export interface PlanOptions {
  /** Unique id of this batch, remembered in the anchor to resolve a lost reply. */
  readonly batchId: string;
  /** A buffer is flushed into a chunk when it and the pushes for its side would exceed this many encoded bytes. */
  readonly flushBytes: number;
  /** Encoded size of a list of elements. */
  readonly sizeOf: (elements: readonly Element[]) => number;
}

/** A buffer to write as a chunk (with `add`) before the anchor CAS. */
export interface Flush {
  readonly side: Side;
  readonly slot: number;
  readonly chunk: Chunk;
}

export interface ChunkRef {
  readonly slot: number;
  readonly base: number | undefined;
}

export type Plan =
  | { readonly kind: 'need'; readonly chunks: readonly ChunkRef[]; readonly values: readonly string[] }
  | {
      readonly kind: 'ready';
      /** The anchor to CAS in; `changed` is false when no operation changed anything (peeks, pops of an empty deque). */
      readonly anchor: Anchor;
      readonly changed: boolean;
      /** Per operation: the element it returns (popped, moved or peeked), or undefined (a push, or an empty deque). */
      readonly popped: readonly (Element | undefined)[];
      readonly flushes: readonly Flush[];
      /** Chunks emptied by this batch: delete (by CAS) once the anchor CAS succeeded. */
      readonly emptiedChunks: readonly { readonly slot: number; readonly base: number }[];
    };

/** Thrown inside planning when a chunk or value must be fetched first. */
class Missing {
  constructor(readonly chunk: ChunkRef | null, readonly value: string | null) {}
}

export function planBatch(anchor: Anchor, operations: readonly Operation[], cache: PlanningCache, options: PlanOptions): Plan {
  const plan = new Planner(anchor, cache);
  plan.flushOversizedBuffers(operations, options);
  const popped: (Element | undefined)[] = [];
  const missingChunks: ChunkRef[] = [];
  const missingValues: string[] = [];
  for (const operation of operations) {
    try {
      popped.push(plan.apply(operation));
    } catch (error) {
      if (!(error instanceof Missing)) throw error;
      // Nothing after a missing record can be planned: later pops depend on it.
      if (error.chunk !== null) missingChunks.push(error.chunk);
      if (error.value !== null) missingValues.push(error.value);
      return { kind: 'need', chunks: missingChunks, values: missingValues };
    }
  }
  return plan.finish(popped, options.batchId);
}

class Planner {
  l: Element[];
  r: Element[];
  a: number;
  b: number;
  as: number;
  bs: number;
  n: number;
  changed = false;
  readonly flushes: Flush[] = [];
  readonly emptied: { slot: number; base: number }[] = [];

  constructor(readonly anchor: Anchor, readonly cache: PlanningCache) {
    this.l = [...anchor.l];
    this.r = [...anchor.r];
    ({ a: this.a, b: this.b, as: this.as, bs: this.bs, n: this.n } = anchor);
  }

  /**
   * Flushes happen first, on the buffers exactly as the anchor holds them:
   * that keeps a chunk's content a function of the anchor alone. Only a
   * side this batch pushes onto is flushed — a buffer refilled from a chunk
   * by pops must not be flushed straight back.
   */
  flushOversizedBuffers(operations: readonly Operation[], options: PlanOptions): void {
    for (const side of ['left', 'right'] as const) {
      const buffer = side === 'left' ? this.l : this.r;
      if (buffer.length === 0) continue;
      const pushed = operations.flatMap((operation) => (operation.kind === 'push' && operation.side === side ? operation.elements : []));
      const moved = operations.some((operation) => operation.kind === 'move' && operation.to === side);
      if (pushed.length === 0 && !moved) continue;
      if (options.sizeOf(buffer) + (pushed.length === 0 ? 0 : options.sizeOf(pushed)) > options.flushBytes) this.#flush(side);
    }
  }

  #flush(side: Side): void {
    const base = this.anchor.s;
    const slot = side === 'right' ? this.b + 1 : this.a - 1;
    const chunk: Chunk = { s: base, e: side === 'right' ? this.r : this.l };
    this.flushes.push({ side, slot, chunk });
    this.changed = true;
    if (!hasChunks(this)) {
      // The new chunk is the only one: it is both ends.
      this.a = this.b = slot;
      this.as = this.bs = base;
    } else if (side === 'right') {
      this.b = slot;
      this.bs = base;
    } else {
      this.a = slot;
      this.as = base;
    }
    if (side === 'right') this.r = [];
    else this.l = [];
  }

  apply(operation: Operation): Element | undefined {
    if (operation.kind === 'push') return this.push(operation.side, operation.elements);
    if (operation.kind === 'pop') return this.pop(operation.side, operation.forOther === true);
    if (operation.kind === 'peek') return this.peek(operation.side);
    const element = this.pop(operation.from);
    if (element !== undefined) this.push(operation.to, [element]);
    return element;
  }

  push(side: Side, elements: readonly Element[]): undefined {
    if (side === 'right') this.r.push(...elements);
    else for (const element of elements) this.l.unshift(element); // like Python's extendleft: one at a time
    this.n += elements.length;
    if (elements.length > 0) this.changed = true;
    return undefined;
  }

  pop(side: Side, forOther = false): Element | undefined {
    const element = side === 'right' ? this.#popRight() : this.#popLeft();
    if (element === undefined) return undefined;
    if (isExternal(element) && !forOther && !this.cache.hasValue(element[1])) throw new Missing(null, element[1]);
    this.n -= 1;
    this.changed = true;
    return element;
  }

  /** The end element on `side` as the deque stands in this plan; an end chunk is read, not unflushed. */
  peek(side: Side): Element | undefined {
    let element: Element | undefined;
    if (side === 'right') {
      if (this.r.length > 0) element = this.r[this.r.length - 1];
      else if (hasChunks(this)) element = this.#chunk(this.b, this.bs).e.at(-1);
      else element = this.l[this.l.length - 1];
    } else if (this.l.length > 0) element = this.l[0];
    else if (hasChunks(this)) element = this.#chunk(this.a, this.as).e[0];
    else element = this.r[0];
    if (element !== undefined && isExternal(element) && !this.cache.hasValue(element[1])) throw new Missing(null, element[1]);
    return element;
  }

  #popRight(): Element | undefined {
    if (this.r.length === 0 && hasChunks(this)) this.r = this.#unflush('right');
    if (this.r.length > 0) return this.r.pop();
    return this.l.pop(); // no chunks and an empty right buffer: the rightmost element is the left buffer's last
  }

  #popLeft(): Element | undefined {
    if (this.l.length === 0 && hasChunks(this)) this.l = this.#unflush('left');
    if (this.l.length > 0) return this.l.shift();
    return this.r.shift();
  }

  /** Takes the end chunk on `side` out of the range and returns its elements, for that side's empty buffer. */
  #unflush(side: Side): Element[] {
    const slot = side === 'right' ? this.b : this.a;
    const base = side === 'right' ? this.bs : this.as;
    const chunk = this.#chunk(slot, base);
    if (this.a === this.b) {
      this.a = this.b + 1;
    } else if (side === 'right') {
      const next = this.#chunk(this.b - 1, undefined); // fetched before anything changes: planning may stop here
      this.b -= 1;
      this.bs = next.s;
    } else {
      const next = this.#chunk(this.a + 1, undefined);
      this.a += 1;
      this.as = next.s;
    }
    const flushIndex = this.flushes.findIndex((flush) => flush.slot === slot);
    if (flushIndex >= 0) this.flushes.splice(flushIndex, 1); // flushed and taken back in one batch: never write it
    else this.emptied.push({ slot, base });
    return [...chunk.e];
  }

  #chunk(slot: number, base: number | undefined): Chunk {
    const flushed = this.flushes.find((flush) => flush.slot === slot);
    if (flushed !== undefined) return flushed.chunk;
    const chunk = this.cache.chunk(slot, base);
    if (chunk === undefined) throw new Missing({ slot, base }, null);
    return chunk;
  }

  finish(popped: (Element | undefined)[], batchId: string): Plan {
    const empty = !hasChunks(this);
    const anchor: Anchor = {
      v: this.anchor.v,
      s: this.anchor.s + 1,
      n: this.n,
      l: this.l,
      r: this.r,
      a: this.a,
      b: this.b,
      as: empty ? 0 : this.as,
      bs: empty ? 0 : this.bs,
      o: [...this.anchor.o, batchId].slice(-RECENT_BATCHES),
      // Carried unchanged (moves, transact): only the combiner changes them (combine.ts).
      ...(combiningOf(this.anchor) ?? {}),
    };
    return { kind: 'ready', anchor, changed: this.changed, popped, flushes: this.flushes, emptiedChunks: this.emptied };
  }
}
