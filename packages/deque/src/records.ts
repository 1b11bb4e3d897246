/**
 * Reading and writing a deque's records: the anchor (through the MCAS layer,
 * so an atomic move in flight is helped to completion first), chunks and
 * large values (plain reads: both are immutable), with caches and the
 * corruption rule: a record the anchor needs that is missing, seen again
 * with the anchor unchanged, is corruption — never skipped, never retried
 * forever.
 */
import { RecordKind, mcasGet, mcasGetMulti, type Entry, type Store } from '@mcc/mcas';
import { parseAnchor, type Anchor } from './anchor';
import { parseChunk, type Chunk } from './chunk';
import { DequeCorruptedError, DequeNotFoundError } from './errors';
import type { DequeKeys } from './keys';
import { anchorFoundElsewhere } from './placement';
import type { ChunkRef, Flush, PlanningCache } from './plan';

export type AnchorEntry = Entry<Anchor>;

/**
 * Deletes garbage quietly (no round trip of its own, nothing awaited). Its
 * failures are nobody's: the operation that made the garbage has already
 * succeeded — including the synchronous refusal of a conditional delete on a
 * server without CAS (a chunk on a `-C` server of a mixed cluster).
 */
export function dropQuietly(store: Store, target: Entry<unknown> | string): void {
  try {
    void store.deleteQuiet(target).catch(() => {});
  } catch {
    // see above
  }
}

/**
 * Chunks are immutable, so a small cache of them is never wrong once keyed by
 * slot and base — within one deque, and across deques of one name because
 * each starts its sequence numbers at random (anchor.ts, `createdAnchor`).
 */
const CHUNK_CACHE_SIZE = 64;

export class DequeRecords {
  /** Chunks by `slot@base`. */
  readonly #chunks = new Map<string, Entry<Chunk>>();
  /**
   * Chunks fetched by slot for one anchor (their base was not known), named by
   * its CAS id and sequence number: a CAS id alone can come back after a
   * server restart, on a deque created again since.
   */
  #fresh = new Map<number, Entry<Chunk>>();
  #freshCas = -1n;
  #freshSequence = -1;
  /** External values fetched for pops not yet committed. */
  readonly #values = new Map<string, unknown>();
  /** Whether this process has seen the anchor: its absence is then corruption rather than "not found". */
  #seenAnchor = false;

  constructor(
    readonly store: Store,
    readonly name: string,
    readonly keys: DequeKeys,
  ) {}

  /** Reads the anchor (helping any MCAS on it). */
  async readAnchor(): Promise<AnchorEntry> {
    const entry = await mcasGet<Anchor>(this.store, this.keys.anchor);
    return entry === null ? this.#absent() : this.#checkAnchor(entry);
  }

  /** Reads several deques' anchors in one parallel batch (for moves). */
  static async readAnchors(records: readonly DequeRecords[]): Promise<AnchorEntry[]> {
    const store = records[0]!.store;
    const found = await mcasGetMulti<Anchor>(store, records.map((record) => record.keys.anchor));
    const entries: AnchorEntry[] = [];
    for (const record of records) {
      const entry = found.get(record.keys.anchor);
      entries.push(entry === undefined ? await record.#absent() : record.#checkAnchor(entry));
    }
    return entries;
  }

  /**
   * The anchor is missing: corruption if this process saw it, else "not
   * found" — with the other servers probed for it (placement.ts), which
   * costs I/O only here, on the way to an error.
   */
  async #absent(): Promise<never> {
    if (this.#seenAnchor) throw new DequeCorruptedError(this.name, this.keys.anchor, 'the anchor vanished (evicted, server restarted, or destroyed by another process)');
    const { client } = this.store;
    const foundOn = await anchorFoundElsewhere(client, this.keys.anchor);
    throw new DequeNotFoundError(this.name, this.keys.anchor, { owner: client.serverFor(this.keys.anchor), foundOn });
  }

  #checkAnchor(entry: Entry<Anchor>): AnchorEntry {
    const anchor = parseAnchor(entry.value);
    if (typeof anchor === 'string') throw new DequeCorruptedError(this.name, this.keys.anchor, anchor);
    this.#seenAnchor = true;
    return entry;
  }

  /** Forgets that the anchor existed (after destroy). */
  forgetAnchor(): void {
    this.#seenAnchor = false;
  }

  /** What the planner may use for this anchor. */
  cacheFor(anchor: AnchorEntry): PlanningCache {
    if (!this.#isFreshFor(anchor)) {
      this.#fresh = new Map();
      this.#freshCas = anchor.cas;
      this.#freshSequence = anchor.value.s;
    }
    return {
      chunk: (slot, base) => (base === undefined ? this.#fresh.get(slot) : this.#chunks.get(`${slot}@${base}`))?.value,
      hasValue: (key) => this.#values.has(key),
    };
  }

  /**
   * Deletes chunks a committed change took out of the range — by CAS, so a
   * newer chunk already flushed into the same slot is never touched. Quiet:
   * a chunk left behind is garbage the next flush into its slot replaces.
   */
  deleteEmptiedChunks(chunks: readonly { readonly slot: number; readonly base: number }[]): void {
    for (const { slot, base } of chunks) {
      const entry = this.#chunks.get(`${slot}@${base}`);
      if (entry !== undefined) dropQuietly(this.store, entry);
    }
  }

  /** Decodes an inline element's bytes with the store's codec (naming the anchor if they are corrupt). */
  decodeInline(bytes: Uint8Array): unknown {
    try {
      return this.store.codec.decode(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    } catch (error) {
      throw new DequeCorruptedError(this.name, this.keys.anchor, `an element does not decode (${(error as Error).message})`);
    }
  }

  takeValue(key: string): unknown {
    const value = this.#values.get(key);
    this.#values.delete(key);
    return value;
  }

  peekValue(key: string): unknown {
    return this.#values.get(key);
  }

  /**
   * Fetches what a plan needs. Returns false if the anchor turned out to be
   * stale (plan again from a fresh one); throws DequeCorruptedError if a
   * needed record is missing while the anchor stays the same.
   */
  async fetch(anchor: AnchorEntry, chunks: readonly ChunkRef[], values: readonly string[]): Promise<boolean> {
    const keys = [...chunks.map(({ slot }) => this.keys.chunk(slot)), ...values];
    const found = await this.store.getMulti(keys);
    let problem: { key: string; reason: string } | null = null;
    for (const { slot, base } of chunks) {
      const key = this.keys.chunk(slot);
      const entry = found.get(key) as Entry<unknown> | undefined;
      const chunk = entry === undefined ? 'the chunk is missing' : parseChunk(entry.value);
      if (typeof chunk === 'string') {
        problem ??= { key, reason: chunk };
      } else if (base !== undefined && chunk.s !== base) {
        problem ??= { key, reason: `the chunk has base ${chunk.s}, the anchor expects ${base}` };
      } else {
        this.#remember(slot, entry as Entry<Chunk>, anchor);
      }
    }
    for (const key of values) {
      const entry = found.get(key);
      if (entry === undefined) problem ??= { key, reason: 'a stored value is missing' };
      else this.#values.set(key, entry.value);
    }
    if (problem === null) return true;
    // Missing for this anchor: is the anchor still the same? Then the record is truly gone.
    const current = await this.readAnchor();
    if (current.cas === anchor.cas) throw new DequeCorruptedError(this.name, problem.key, problem.reason);
    return false;
  }

  #remember(slot: number, entry: Entry<Chunk>, anchor: AnchorEntry): void {
    if (this.#chunks.size >= CHUNK_CACHE_SIZE) this.#chunks.delete(this.#chunks.keys().next().value!);
    this.#chunks.set(`${slot}@${entry.value.s}`, entry);
    if (this.#isFreshFor(anchor)) this.#fresh.set(slot, entry);
  }

  /** Whether `#fresh` holds chunks fetched for this anchor state (a CAS id alone repeats after a server restart). */
  #isFreshFor(anchor: AnchorEntry): boolean {
    return anchor.cas === this.#freshCas && anchor.value.s === this.#freshSequence;
  }

  /**
   * Writes flushed buffers as chunks, before the anchor CAS that publishes
   * them. A slot already holding a chunk of the same base holds exactly this
   * content (it is a function of the anchor), so it counts as written; an
   * older base is garbage, deleted by CAS first. Returns false if a newer
   * chunk shows the anchor is stale.
   */
  async writeFlushes(anchor: AnchorEntry, flushes: readonly Flush[]): Promise<boolean> {
    const results = await Promise.all(flushes.map((flush) => this.#writeChunk(anchor, flush)));
    return results.every(Boolean);
  }

  async #writeChunk(anchor: AnchorEntry, flush: Flush): Promise<boolean> {
    const key = this.keys.chunk(flush.slot);
    for (let attempt = 0; attempt < 3; attempt++) {
      const written = await this.store.add(key, flush.chunk, { kind: RecordKind.DequeNode });
      if (written !== null) {
        this.#remember(flush.slot, written, anchor);
        return true;
      }
      const existing = await this.store.get<Chunk>(key);
      if (existing === null) continue; // deleted meanwhile: try again
      const chunk = parseChunk(existing.value);
      const base = typeof chunk === 'string' ? -Infinity : chunk.s;
      if (base === flush.chunk.s) {
        this.#remember(flush.slot, existing, anchor);
        return true;
      }
      // A chunk newer than our anchor: our anchor is stale — unless it is still current. Then
      // the chunk is not this deque's: no state of it had that base yet, so it is a leftover
      // of an earlier deque of the same name (sequence numbers start at random: anchor.ts),
      // outside the range like any other garbage.
      if (base > flush.chunk.s && (await this.readAnchor()).cas !== anchor.cas) return false;
      // Garbage from an abandoned flush: overwrite it in place, by CAS, rather than delete and add again.
      const replaced = await this.store.cas(existing, flush.chunk, { kind: RecordKind.DequeNode });
      if (replaced !== null) {
        this.#remember(flush.slot, replaced, anchor);
        return true;
      }
    }
    return false;
  }
}
