/**
 * A lock-free double-ended queue of unlimited size, shared through memcached
 * by any number of processes on any number of machines.
 *
 * Every operation is linearized by one CAS on the deque's anchor (or, for a
 * move between two deques, one MCAS over both anchors); see engine.ts for
 * how concurrent callers in one process share those CASes, plan.ts for the
 * state machine, and docs/FORMAT.md for the records.
 */
import { CasUnsupportedError, InvalidArgumentError, RecordKind, mcas, type Store } from '@mcc/mcas';
import { emptyAnchor, type Anchor } from './anchor';
import { isExternal } from './element';
import { DequeEngine } from './engine';
import { buffersSize } from './engine';
import { DequeExistsError, DequeOutcomeUnknownError } from './errors';
import { batchId, randomId } from './ids';
import { dequeKeys, validateDequeName } from './keys';
import { planBatch, type Side } from './plan';
import { DequeRecords, type AnchorEntry } from './records';
import { sleep } from './wait';
import { clearDeque } from './clear';
import { prepareElements } from './prepare-push';
import { checkConsumeOptions, checkStore, checkWaitOptions, resolveDequeOptions, resolveMoveOptions, valuesOf } from './validate';

export interface DequeOptions {
  /** Keep every record of the deque on one server (a `{name}` hash tag). Default false: chunks spread over all servers. Must match between `create` and `bind`. */
  colocate?: boolean;
  /** A value whose encoding is larger than this many bytes is stored in its own item rather than in the anchor. Default 1024; a whole number from 0 to 65536. */
  inlineMaxBytes?: number;
  /** Buffer size in encoded bytes beyond which the anchor's buffer is flushed into a chunk. Default 4096; a whole number from 1 to 262144. */
  flushBytes?: number;
}

export interface WaitOptions {
  /** Give up after this many milliseconds and resolve `undefined`. Default: wait forever. */
  timeoutMs?: number;
  /** Stop waiting: the promise rejects with the signal's reason. */
  signal?: AbortSignal;
}

export interface MoveOptions {
  /** End of this deque to pop from. Default 'right'. */
  from?: Side;
  /** End of the other deque to push onto. Default 'left'. */
  to?: Side;
}

/** Engines are shared per store and deque, so every handle in a process combines into the same batches. */
const engines = new WeakMap<Store, Map<string, DequeEngine>>();

const MAX_BATCH = 256;
const POLL_MAX_DELAY_MS = 50;

export class Deque<T = unknown> {
  readonly name: string;
  readonly store: Store;
  readonly #records: DequeRecords;
  readonly #engine: DequeEngine;
  readonly #inlineMaxBytes: number;

  private constructor(store: Store, name: string, options: DequeOptions | undefined) {
    checkStore(store);
    const settings = resolveDequeOptions(options);
    this.name = validateDequeName(name);
    this.store = store;
    this.#inlineMaxBytes = settings.inlineMaxBytes;
    const keys = dequeKeys(this.name, settings.colocate);
    let perStore = engines.get(store);
    if (perStore === undefined) engines.set(store, (perStore = new Map()));
    let engine = perStore.get(keys.anchor);
    if (engine === undefined) {
      engine = new DequeEngine(new DequeRecords(store, this.name, keys), {
        flushBytes: settings.flushBytes,
        // Every CAS re-encodes the whole anchor: keep batches from growing it far past a flush.
        maxAnchorBytes: Math.max(2 * settings.flushBytes, 4096),
        maxBatch: MAX_BATCH,
      });
      perStore.set(keys.anchor, engine);
    }
    this.#engine = engine;
    this.#records = engine.records;
  }

  /**
   * Creates a new, empty deque. Without a name, a random one is chosen.
   * @throws InvalidArgumentError for a bad name or option (see {@link DequeOptions}).
   * @throws DequeExistsError if the name is taken.
   * @throws CasUnsupportedError if the anchor's server runs with CAS disabled (`-C`); nothing is written.
   */
  static async create<T = unknown>(store: Store, name?: string, options?: DequeOptions): Promise<Deque<T>> {
    const deque = new Deque<T>(store, name ?? `dq-${randomId()}`, options);
    const anchorKey = deque.#records.keys.anchor;
    // Every later operation is a CAS: refuse a CAS-less server (-C) before writing anything.
    const server = store.client.serverFor(anchorKey);
    if (!(await store.client.serverInfo(server)).casEnabled) throw new CasUnsupportedError(server, anchorKey);
    const created = await store.add(anchorKey, emptyAnchor(), { kind: RecordKind.DequeAnchor });
    if (created === null) throw new DequeExistsError(deque.name, deque.#records.keys.anchor);
    deque.#engine.invalidate(created as AnchorEntry);
    return deque;
  }

  /** A handle on an existing deque, without I/O; the first operation rejects with DequeNotFoundError if it does not exist. */
  static bind<T = unknown>(store: Store, name: string, options?: DequeOptions): Deque<T> {
    return new Deque<T>(store, name, options);
  }

  /** Pushes onto the right end. */
  append(value: T): Promise<void> {
    return this.#push('right', [value]);
  }

  /** Pushes onto the left end. */
  appendLeft(value: T): Promise<void> {
    return this.#push('left', [value]);
  }

  /** Pushes all values onto the right end, atomically (all or none, and adjacent). */
  async extend(values: Iterable<T>): Promise<void> {
    return this.#push('right', valuesOf<T>(values, 'extend'));
  }

  /** Pushes all values onto the left end one after another, atomically (like Python's `extendleft`, the last ends up leftmost). */
  async extendLeft(values: Iterable<T>): Promise<void> {
    return this.#push('left', valuesOf<T>(values, 'extendLeft'));
  }

  /** Removes and returns the rightmost value, or `undefined` if the deque is empty. */
  async pop(): Promise<T | undefined> {
    return (await this.#engine.submit({ kind: 'pop', side: 'right' })) as T | undefined;
  }

  /** Removes and returns the leftmost value, or `undefined` if the deque is empty. */
  async popLeft(): Promise<T | undefined> {
    return (await this.#engine.submit({ kind: 'pop', side: 'left' })) as T | undefined;
  }

  /** The number of values, from one read of the anchor. */
  async length(): Promise<number> {
    const anchor = await this.#records.readAnchor();
    return anchor.value.n;
  }

  /** The rightmost value without removing it, or `undefined`. */
  peek(): Promise<T | undefined> {
    return this.#peek('right');
  }

  /** The leftmost value without removing it, or `undefined`. */
  peekLeft(): Promise<T | undefined> {
    return this.#peek('left');
  }

  /** Like `pop`, but waits (polling with back-off) while the deque is empty. Resolves `undefined` on timeout. */
  async popWait(options: WaitOptions = {}): Promise<T | undefined> {
    checkWaitOptions(options, 'popWait');
    return this.#wait(() => this.pop(), options);
  }

  /** Like `popLeft`, but waits (polling with back-off) while the deque is empty. Resolves `undefined` on timeout. */
  async popLeftWait(options: WaitOptions = {}): Promise<T | undefined> {
    checkWaitOptions(options, 'popLeftWait');
    return this.#wait(() => this.popLeft(), options);
  }

  /**
   * Consumes values from the left end as they arrive (FIFO with `append`),
   * until the signal aborts: `for await (const value of deque.consume({ signal })) …`.
   */
  async *consume(options: { signal?: AbortSignal } = {}): AsyncGenerator<T, void, undefined> {
    checkConsumeOptions(options);
    const { signal } = options;
    while (signal?.aborted !== true) {
      let value: T | undefined;
      try {
        value = await this.popLeftWait(signal === undefined ? {} : { signal });
      } catch (error) {
        if (signal?.aborted) return;
        throw error;
      }
      if (value !== undefined) yield value;
    }
  }

  /**
   * Atomically pops a value from this deque and pushes it onto `other` (on
   * any servers; via MCAS when they differ). Returns the value moved, or
   * `undefined` if this deque was empty.
   */
  async moveTo(other: Deque<T>, options: MoveOptions = {}): Promise<T | undefined> {
    if (!(other instanceof Deque)) throw new InvalidArgumentError(`moveTo expects a Deque, got ${other === null ? 'null' : typeof other}`);
    const { from, to } = resolveMoveOptions(options);
    if (other.#records === this.#records) return (await this.#engine.submit({ kind: 'move', from, to })) as T | undefined;
    if (other.store !== this.store) throw new InvalidArgumentError('moveTo needs both deques on the same store');
    const source = this.#records;
    const target = other.#records;
    const moveId = batchId();
    const flushBytes = this.#engine.limits.flushBytes;
    const sizeOf = buffersSize;
    for (;;) {
      const [sourceAnchor, targetAnchor] = await DequeRecords.readAnchors([source, target]);
      const popPlan = planBatch(sourceAnchor!.value, [{ kind: 'pop', side: from }], source.cacheFor(sourceAnchor!.cas), { batchId: moveId, flushBytes, sizeOf });
      if (popPlan.kind === 'need') {
        await source.fetch(sourceAnchor!, popPlan.chunks, popPlan.values);
        continue;
      }
      const element = popPlan.popped[0];
      if (element === undefined) return undefined; // empty, as of a read this very call made
      const pushPlan = planBatch(targetAnchor!.value, [{ kind: 'push', side: to, elements: [element] }], target.cacheFor(targetAnchor!.cas), { batchId: moveId, flushBytes, sizeOf });
      if (pushPlan.kind === 'need') throw new Error('a push never needs a fetch'); // planner invariant
      const written = await Promise.all([source.writeFlushes(sourceAnchor!, popPlan.flushes), target.writeFlushes(targetAnchor!, pushPlan.flushes)]);
      if (!written.every(Boolean)) continue;
      const moved = await mcas(this.store, [
        [sourceAnchor!, popPlan.anchor],
        [targetAnchor!, pushPlan.anchor],
      ]);
      this.#engine.invalidate();
      other.#engine.invalidate();
      if (!moved) continue;
      source.deleteEmptiedChunks(popPlan.emptiedChunks);
      // The element moves as it is: a large value keeps its item, now referenced by the other deque.
      return (isExternal(element) ? source.takeValue(element[1]) : source.decodeInline(element[1])) as T;
    }
  }

  /** Removes every value (one CAS), then deletes the records that held them. */
  async clear(): Promise<void> {
    const cleared = await clearDeque(this.#records);
    this.#engine.invalidate(cleared);
  }

  /** Clears the deque and deletes its anchor; later operations reject with DequeNotFoundError. */
  async destroy(): Promise<void> {
    const cleared = await clearDeque(this.#records);
    this.#engine.invalidate();
    await this.store.delete(cleared);
    this.#records.forgetAnchor();
  }

  async #push(side: Side, values: readonly T[]): Promise<void> {
    if (values.length === 0) return;
    // Encoded, measured and large values written first; nothing is left if that fails (prepare-push.ts).
    const elements = await prepareElements(this.store, this.#records.keys, values, this.#inlineMaxBytes);
    try {
      await this.#engine.submit({ kind: 'push', side, elements }, values);
    } catch (error) {
      // Not pushed: drop the large-value items. If the outcome is unknown the
      // push may have happened, and its elements would point at them: keep them.
      if (!(error instanceof DequeOutcomeUnknownError)) {
        for (const element of elements) if (isExternal(element)) void this.store.deleteQuiet(element[1]).catch(() => {});
      }
      throw error;
    }
  }

  async #peek(side: Side): Promise<T | undefined> {
    const records = this.#records;
    for (;;) {
      const anchor = await records.readAnchor();
      const plan = planBatch(anchor.value as Anchor, [{ kind: 'pop', side }], records.cacheFor(anchor.cas), {
        batchId: 'peek', flushBytes: Infinity, sizeOf: () => 0,
      });
      if (plan.kind === 'need') {
        await records.fetch(anchor, plan.chunks, plan.values);
        continue;
      }
      const element = plan.popped[0];
      if (element === undefined) return undefined;
      return (isExternal(element) ? records.peekValue(element[1]) : records.decodeInline(element[1])) as T;
    }
  }

  async #wait(pop: () => Promise<T | undefined>, options: WaitOptions): Promise<T | undefined> {
    const deadline = options.timeoutMs === undefined ? Infinity : Date.now() + options.timeoutMs;
    let delay = 1;
    for (;;) {
      options.signal?.throwIfAborted();
      const value = await pop();
      if (value !== undefined) return value;
      const remaining = deadline - Date.now();
      if (remaining <= 0) return undefined;
      await sleep(Math.min(delay, remaining), options.signal);
      delay = Math.min(delay * 2, POLL_MAX_DELAY_MS);
    }
  }
}
