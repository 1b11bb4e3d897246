/**
 * Non-destructive reads: `range(start, stop)` (LRANGE) and the snapshot
 * behind `values()`.
 *
 * A read is consistent because it works from ONE read of the anchor: the
 * anchor names the buffers and the range of chunk slots, and chunks in the
 * range are immutable while they are in it. A concurrent pop may take a
 * chunk out of the range and delete it (or a later flush may reuse its slot
 * with a chunk newer than our anchor): either shows our anchor is stale, and
 * the read starts again from a fresh anchor. A record missing while the
 * anchor is unchanged is corruption (DequeCorruptedError), as everywhere.
 * So every answer is the deque's content at the instant of that anchor read
 * — the linearization point of the read.
 *
 * Only the chunks the range needs are read, walking in from the nearer end.
 */
import { InvalidArgumentError, type Entry } from '@mcc/mcas';
import { hasChunks, type Anchor } from './anchor';
import { parseChunk, type Chunk } from './chunk';
import { isExternal, type Element } from './element';
import { DequeCorruptedError } from './errors';
import type { AnchorEntry, DequeRecords } from './records';

/** Chunks read per round trip while walking in from an end. */
const CHUNK_SLICE = 16;
const VALUE_SLICE = 100;

/** The values at indexes start…stop (inclusive; negative counts from the right, -1 is the rightmost), as of one anchor read. */
export async function readRange(records: DequeRecords, start: number, stop: number): Promise<unknown[]> {
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(stop)) {
    throw new InvalidArgumentError(`range needs integer indexes, got ${String(start)} and ${String(stop)}`);
  }
  for (;;) {
    const anchor = await records.readAnchor();
    const result = await tryRange(records, anchor, start, stop);
    if (result !== null) return result;
  }
}

/** The elements of the range, then their values; null if the anchor turned out stale. */
async function tryRange(records: DequeRecords, anchor: AnchorEntry, start: number, stop: number): Promise<unknown[] | null> {
  const { n } = anchor.value;
  const from = Math.max(0, start < 0 ? n + start : start);
  const to = Math.min(n - 1, stop < 0 ? n + stop : stop);
  if (from > to) return [];
  const elements = from >= n - 1 - to ? await fromRight(records, anchor, n - 1 - to, n - 1 - from) : await fromLeft(records, anchor, from, to);
  if (elements === null) return null;
  return decodeAll(records, anchor, elements);
}

/** Elements at indexes from…to counted from the left. */
async function fromLeft(records: DequeRecords, anchor: AnchorEntry, from: number, to: number): Promise<Element[] | null> {
  const value = anchor.value;
  const elements: Element[] = [...value.l];
  for (let slot = value.a; elements.length <= to && slot <= value.b; slot += CHUNK_SLICE) {
    const chunks = await readChunks(records, anchor, slot, Math.min(value.b, slot + CHUNK_SLICE - 1));
    if (chunks === null) return null;
    for (const chunk of chunks) elements.push(...chunk.e);
  }
  if (elements.length <= to) elements.push(...value.r);
  return elements.slice(from, to + 1);
}

/** Elements at indexes from…to counted from the right (0 is the rightmost), returned left to right. */
async function fromRight(records: DequeRecords, anchor: AnchorEntry, from: number, to: number): Promise<Element[] | null> {
  const value = anchor.value;
  const reversed: Element[] = [...value.r].reverse();
  for (let slot = value.b; reversed.length <= to && slot >= value.a; slot -= CHUNK_SLICE) {
    const chunks = await readChunks(records, anchor, Math.max(value.a, slot - CHUNK_SLICE + 1), slot);
    if (chunks === null) return null;
    for (const chunk of chunks.reverse()) reversed.push(...[...chunk.e].reverse());
  }
  if (reversed.length <= to) reversed.push(...[...value.l].reverse());
  return reversed.slice(from, to + 1).reverse();
}

/** The chunks of slots first…last (left to right) as the anchor sees them; null if the anchor is stale. */
async function readChunks(records: DequeRecords, anchor: AnchorEntry, first: number, last: number): Promise<Chunk[] | null> {
  if (!hasChunks(anchor.value)) return [];
  const slots = Array.from({ length: last - first + 1 }, (_, index) => first + index);
  const found = await records.store.getMulti(slots.map((slot) => records.keys.chunk(slot)));
  const chunks: Chunk[] = [];
  for (const slot of slots) {
    const key = records.keys.chunk(slot);
    const entry = found.get(key) as Entry<unknown> | undefined;
    const chunk = entry === undefined ? 'the chunk is missing' : parseChunk(entry.value);
    const problem = typeof chunk === 'string' ? chunk : baseProblem(anchor.value, slot, chunk.s);
    if (problem !== null) return (await stale(records, anchor, key, problem)) ? null : [];
    chunks.push(chunk as Chunk);
  }
  return chunks;
}

/** A chunk in the range belongs to the anchor if it is no newer than it and its ends carry the recorded bases. */
function baseProblem(anchor: Anchor, slot: number, base: number): string | null {
  if (base > anchor.s) return `the chunk has base ${base}, newer than the anchor (${anchor.s})`;
  if (slot === anchor.a && base !== anchor.as) return `the leftmost chunk has base ${base}, the anchor expects ${anchor.as}`;
  if (slot === anchor.b && base !== anchor.bs) return `the rightmost chunk has base ${base}, the anchor expects ${anchor.bs}`;
  return null;
}

/** True if the anchor changed since `anchor` was read (start again); throws DequeCorruptedError if it did not. */
async function stale(records: DequeRecords, anchor: AnchorEntry, key: string, problem: string): Promise<true> {
  const current = await records.readAnchor();
  if (current.cas === anchor.cas) throw new DequeCorruptedError(records.name, key, problem);
  return true;
}

async function decodeAll(records: DequeRecords, anchor: AnchorEntry, elements: readonly Element[]): Promise<unknown[] | null> {
  const external = elements.filter(isExternal).map((element) => element[1]);
  const values = new Map<string, unknown>();
  for (let start = 0; start < external.length; start += VALUE_SLICE) {
    const keys = external.slice(start, start + VALUE_SLICE);
    const found = await records.store.getMulti(keys);
    for (const key of keys) {
      const entry = found.get(key);
      // Popped (and deleted) since our anchor read, or lost: the anchor tells which.
      if (entry === undefined) return (await stale(records, anchor, key, 'a stored value is missing')) ? null : [];
      values.set(key, entry.value);
    }
  }
  return elements.map((element) => (isExternal(element) ? values.get(element[1]) : records.decodeInline(element[1])));
}
