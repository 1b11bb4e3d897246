/**
 * A chunk: an immutable item holding the elements of one flushed buffer.
 *
 *   { s: base, e: [element, …] }
 *
 * `base` is the sequence number of the anchor whose buffer it holds. A chunk
 * is written (with `add`) before the anchor CAS that publishes it, so an
 * anchor never points at a chunk that does not exist yet. Its content is
 * fully determined by that anchor state, which is what makes flushing safe to
 * share: a second flusher that finds the slot taken by a chunk with the
 * current anchor's sequence number may publish it as its own. A chunk with an
 * older base is garbage (its anchor moved on without it) and is deleted by
 * CAS before the slot is reused.
 */
import { isElement, type Element } from './element';

export interface Chunk {
  readonly s: number;
  readonly e: readonly Element[];
}

export function parseChunk(value: unknown): Chunk | string {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'the chunk is not a map';
  const record = value as Record<string, unknown>;
  if (!Number.isSafeInteger(record.s)) return 'chunk field "s" is not an integer';
  if (!Array.isArray(record.e) || record.e.length === 0 || !record.e.every(isElement)) return 'chunk field "e" is not a non-empty list of elements';
  return record as unknown as Chunk;
}
