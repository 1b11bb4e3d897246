/**
 * A lock-free double-ended queue of unlimited size, shared through memcached
 * by any number of processes on any number of machines.
 *
 * A thin facade: every operation is handed to the deque's engine
 * (engine.ts, the one owner of the anchor loop), linearized by one CAS on
 * the anchor (or, for a move between two deques, one MCAS over both
 * anchors); plan.ts is the state machine, docs/FORMAT.md the records.
 */
import { CasUnsupportedError, InvalidArgumentError, RecordKind, type Store } from '@mcc/mcas';
import { createdAnchor } from './anchor';
import { isExternal } from './element';
import { DequeEngine, type DequeStats } from './engine';
import { DequeExistsError, DequeOutcomeUnknownError } from './errors';
import { randomId } from './ids';
import { dequeKeys, validateDequeName } from './keys';
import type { Side } from './plan';
import { DequeRecords, dropQuietly, type AnchorEntry } from './records';
import { waitFor, type WaitOptions } from './wait-through';
import { clearDeque } from './clear';
import { dequeExists, openDeque } from './open';
import { checkPlacementBeforeCreate } from './placement';
import { expireDeque } from './expire';
import { readRange } from './range';
import { transact, type DequeTake, type TransactDecision, type TransactOutcome } from './transact';
import { prepareElements } from './prepare-push';
import { dequeOpChannel, traceDequeOp, type DequeOpKind } from './tracing';
import { checkConsumeOptions, checkStore, checkWaitOptions, resolveDequeOptions, resolveMoveOptions, valuesOf } from './validate';

export interface DequeOptions {
  /** Keep every record of the deque on one server (a `{name}` hash tag). Default false: chunks spread over all servers. Must match between `create` and `bind`. */
  colocate?: boolean;
  /** A value whose encoding is larger than this many bytes is stored in its own item rather than in the anchor. Default 1024; a whole number from 0 to 65536. */
  inlineMaxBytes?: number;
  /** Buffer size in encoded bytes beyond which the anchor's buffer is flushed into a chunk. Default 4096; a whole number from 1 to 262144. */
  flushBytes?: number;
  /**
   * Cross-process combining (default false): while this process meets
   * contention on the deque, its pushes and pops are announced in the
   * deque's log and applied, many processes' at once, by whichever process
   * next wins the anchor CAS (docs/DESIGN.md). An uncontended caller is not
   * affected (one round trip per operation). Under saturation from several
   * processes it gives every process progress (without it the last CAS
   * winner keeps winning), at about half the total throughput. The first
   * handle on a deque in a process decides for all of them.
   */
  combine?: boolean;
}

export type { WaitOptions } from './wait-through';

export interface MoveOptions {
  /** End of this deque to pop from. Default 'right'. */
  from?: Side;
  /** End of the other deque to push onto. Default 'left'. */
  to?: Side;
}

/** Engines are shared per store and deque, so every handle in a process combines into the same batches. */
const engines = new WeakMap<Store, Map<string, DequeEngine>>();

const MAX_BATCH = 256;

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
        combine: settings.combine,
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
   * @throws DequePlacementError if the anchor's owner has none but another server does: the server list changed since the deque was created (nothing is written).
   * @throws DequePlacementUnknownError if the owner has none and another server could not be read to rule that out (nothing is written).
   * @throws CasUnsupportedError if the anchor's server runs with CAS disabled (`-C`); nothing is written.
   */
  static async create<T = unknown>(store: Store, name?: string, options?: DequeOptions): Promise<Deque<T>> {
    const deque = new Deque<T>(store, name ?? `dq-${randomId()}`, options);
    const anchorKey = deque.#records.keys.anchor;
    // Every later operation is a CAS: refuse a CAS-less server (-C) before writing anything.
    const server = store.client.serverFor(anchorKey);
    if (!(await store.client.serverInfo(server)).casEnabled) throw new CasUnsupportedError(server, anchorKey);
    // Not on another server, where an earlier server list placed it (placement.ts)? With one server: no I/O.
    await checkPlacementBeforeCreate(store.client, deque.name, anchorKey);
    const created = await store.add(anchorKey, createdAnchor(), { kind: RecordKind.DequeAnchor });
    if (created === null) throw new DequeExistsError(deque.name, deque.#records.keys.anchor);
    deque.#engine.invalidate(created as AnchorEntry);
    return deque;
  }

  /**
   * A handle on an existing deque, without I/O; the first operation rejects
   * with DequeNotFoundError if it does not exist (its `foundOn` names other
   * servers holding the anchor, if the server list changed).
   */
  static bind<T = unknown>(store: Store, name: string, options?: DequeOptions): Deque<T> {
    return new Deque<T>(store, name, options);
  }

  /**
   * Creates the deque, or binds to it if it exists (two processes opening one
   * name at once get the same deque). Rejects like `create` when the anchor
   * is found on another server than its owner, instead of creating a second deque.
   */
  static open<T = unknown>(store: Store, name: string, options: DequeOptions = {}): Promise<Deque<T>> {
    return openDeque(() => Deque.create<T>(store, name, options), () => Deque.bind<T>(store, name, options));
  }

  /** Whether a deque of this name exists (one read of its anchor). `colocate` must match the deque's. */
  static async exists(store: Store, name: string, options: Pick<DequeOptions, 'colocate'> = {}): Promise<boolean> {
    checkStore(store);
    return dequeExists(store, name, resolveDequeOptions(options).colocate);
  }

  /**
   * One atomic step over several deques (see transact.ts): takes values from
   * the given ends, lets `decide` look at exactly what will be taken and name
   * the values to push (new ones, or taken ones kept), and commits all of it
   * with one CAS (one deque) or one MCAS — or nothing, if `decide` returns
   * undefined ('aborted'). 'unknown' when a lost reply left the outcome open.
   */
  static async transact<R>(
    steps: readonly { readonly deque: Deque<any>; readonly take?: DequeTake }[],
    decide: (taken: readonly (readonly unknown[])[]) => TransactDecision<R> | undefined,
  ): Promise<TransactOutcome<R>> {
    if (!Array.isArray(steps) || steps.some((step) => !(step?.deque instanceof Deque))) throw new InvalidArgumentError('Deque.transact needs an array of { deque: Deque, take? } steps');
    if (typeof decide !== 'function') throw new InvalidArgumentError('Deque.transact needs a decide function');
    return transact(
      steps.map(({ deque, take }) => ({ records: deque.#records, engine: deque.#engine, elements: (values: readonly unknown[]) => prepareElements(deque.store, deque.name, deque.#records.keys, values, deque.#inlineMaxBytes), take })),
      decide,
    );
  }

  /** The values at indexes start…stop, inclusive (negative from the right, like LRANGE), as of one read of the anchor. */
  range(start: number, stop: number): Promise<T[]> {
    return this.#op('range', null, 0, () => readRange(this.#records, start, stop) as Promise<T[]>);
  }

  /** Iterates over a consistent snapshot of the whole deque, left to right (read whole, from one anchor read, before the first value). */
  async *values(): AsyncGenerator<T, void, undefined> {
    yield* (await this.range(0, -1));
  }

  /** This process's counters for the deque (shared by every handle on it in this process): operations, anchor CASes sent and lost. */
  get stats(): Readonly<DequeStats> {
    return { ...this.#engine.stats };
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
    return this.#op('pop', 'right', 1, () => this.#engine.submit({ kind: 'pop', side: 'right' }) as Promise<T | undefined>);
  }

  /** Removes and returns the leftmost value, or `undefined` if the deque is empty. */
  async popLeft(): Promise<T | undefined> {
    return this.#op('pop', 'left', 1, () => this.#engine.submit({ kind: 'pop', side: 'left' }) as Promise<T | undefined>);
  }

  /** The number of values, from one read of the anchor. */
  async length(): Promise<number> {
    return this.#op('length', null, 0, async () => (await this.#records.readAnchor()).value.n);
  }

  /** The rightmost value without removing it, or `undefined`. */
  peek(): Promise<T | undefined> {
    return this.#peek('right');
  }

  /** The leftmost value without removing it, or `undefined`. */
  peekLeft(): Promise<T | undefined> {
    return this.#peek('left');
  }

  /** Like `pop`, but waits (polling with back-off) while the deque is empty, and through a dropped connection (wait-through.ts). Resolves `undefined` on timeout. */
  async popWait(options: WaitOptions = {}): Promise<T | undefined> {
    checkWaitOptions(options, 'popWait');
    return waitFor(() => this.pop(), options);
  }

  /** Like `popLeft`, but waits (polling with back-off) while the deque is empty. Resolves `undefined` on timeout. */
  async popLeftWait(options: WaitOptions = {}): Promise<T | undefined> {
    checkWaitOptions(options, 'popLeftWait');
    return waitFor(() => this.popLeft(), options);
  }

  /** Like `moveTo`, but waits (polling with back-off) while this deque is empty, like Redis's BLMOVE. Resolves `undefined` on timeout. */
  async moveToWait(other: Deque<T>, options: MoveOptions & WaitOptions = {}): Promise<T | undefined> {
    checkWaitOptions(options, 'moveToWait');
    resolveMoveOptions(options);
    return waitFor(() => this.moveTo(other, options), options);
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
    return this.#op('move', options?.from ?? 'right', 1, () => this.#moveTo(other, options));
  }

  async #moveTo(other: Deque<T>, options: MoveOptions): Promise<T | undefined> {
    if (!(other instanceof Deque)) throw new InvalidArgumentError(`moveTo expects a Deque, got ${other === null ? 'null' : typeof other}`);
    const { from, to } = resolveMoveOptions(options);
    // Within one deque: a rotation, planned like any other operation (its element stays referenced).
    if (other.#records === this.#records) return (await this.#engine.submit({ kind: 'move', from, to })) as T | undefined;
    if (other.store !== this.store) throw new InvalidArgumentError('moveTo needs both deques on the same store');
    return (await this.#engine.moveTo(other.#engine, from, to)) as T | undefined;
  }

  /** Removes every value (one CAS), then deletes the records that held them. */
  async clear(): Promise<void> {
    return this.#op('clear', null, 0, async () => this.#engine.invalidate(await clearDeque(this.#records)));
  }

  /**
   * Gives every record of the deque (anchor, chunks, large values) a TTL of
   * `seconds` (0: never expire again), so an abandoned deque leaves
   * memcached by itself. For a deque no longer in use: a later operation
   * makes the anchor permanent again while older chunks keep the TTL (see
   * expire.ts) — call `expire(0)` before using it again.
   */
  expire(seconds: number): Promise<void> {
    return this.#op('expire', null, 0, () => expireDeque(this.#records, seconds));
  }

  /**
   * Clears the deque and deletes its anchor; later operations reject with
   * DequeNotFoundError. A push racing it is cleared with it or fails (the
   * deque is gone); none is left behind in a deque it said it removed.
   */
  async destroy(): Promise<void> {
    return this.#op('destroy', null, 0, () => this.#destroy());
  }

  async #destroy(): Promise<void> {
    for (;;) {
      const cleared = await clearDeque(this.#records);
      this.#engine.invalidate();
      // The delete is conditional on the cleared anchor. A push that lands between the two
      // changes the anchor and the delete is refused: clear again (that push is then cleared,
      // as if it came just before the destroy). Without the retry, destroy resolved with the
      // deque still there, holding that push. Refused because another destroy deleted it first:
      // the deque is gone, which is all destroy promises.
      const deleted = (await this.store.delete(cleared)) || (await this.store.get(this.#records.keys.anchor)) === null;
      if (!deleted) continue;
      this.#records.forgetAnchor();
      // The announcement log, if the deque combined (an older one expires with its TTL).
      const log = cleared.value.q;
      if (log !== undefined) dropQuietly(this.store, this.#records.keys.log(log));
      return;
    }
  }

  #push(side: Side, values: readonly T[]): Promise<void> {
    return this.#op('push', side, values.length, () => this.#pushValues(side, values));
  }

  async #pushValues(side: Side, values: readonly T[]): Promise<void> {
    if (values.length === 0) return;
    // Encoded, measured and large values written first; nothing is left if that fails (prepare-push.ts).
    const elements = await prepareElements(this.store, this.name, this.#records.keys, values, this.#inlineMaxBytes);
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
    return this.#op('peek', side, 1, () => this.#engine.submit({ kind: 'peek', side }) as Promise<T | undefined>);
  }

  /** An operation, traced on `mcc:deque:op` while someone subscribes (tracing.ts); else just run. */
  #op<R>(kind: DequeOpKind, side: Side | null, batch: number, run: () => Promise<R>): Promise<R> {
    return dequeOpChannel.hasSubscribers ? traceDequeOp(this.name, this.#engine.stats, kind, side, batch, run) : run();
  }
}
