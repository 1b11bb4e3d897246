/**
 * The anchor: the one entry every operation on a deque changes, with a
 * single CAS. Its record (msgpack map, short field names for size):
 *
 *   v   format version (1)
 *   s   sequence number: +1 on every change
 *   n   number of elements in the deque
 *   l   left buffer: elements in deque order (l[0] is the leftmost)
 *   r   right buffer: elements in deque order (r[r.length-1] is the rightmost)
 *   a   slot of the leftmost chunk        } no chunks when a > b
 *   b   slot of the rightmost chunk       }
 *   as  base (creation sequence number) of chunk a
 *   bs  base of chunk b
 *   o   ids of the most recent batches applied, newest last (resolving lost replies)
 *
 * The deque's content, left to right:
 *
 *   l[0] … l[-1] │ chunk a │ chunk a+1 │ … │ chunk b │ r[0] … r[-1]
 *
 * Chunks are immutable items (see chunk.ts) made by flushing a full buffer.
 * A pop that finds its buffer empty "unflushes" the end chunk: its elements
 * move back into the buffer and the chunk leaves the range. So chunks are
 * never partly consumed and need no offsets, and the range stays contiguous.
 */
import { isElement, type Element } from './element';

export interface Anchor {
  readonly v: 1;
  readonly s: number;
  readonly n: number;
  readonly l: readonly Element[];
  readonly r: readonly Element[];
  readonly a: number;
  readonly b: number;
  readonly as: number;
  readonly bs: number;
  readonly o: readonly string[];
}

/** How many batch ids the anchor remembers: a lost reply is resolvable while fewer batches followed it. */
export const RECENT_BATCHES = 16;

export function emptyAnchor(): Anchor {
  return { v: 1, s: 0, n: 0, l: [], r: [], a: 0, b: -1, as: 0, bs: 0, o: [] };
}

export function hasChunks(anchor: Pick<Anchor, 'a' | 'b'>): boolean {
  return anchor.a <= anchor.b;
}

const INTEGER_FIELDS = ['s', 'n', 'a', 'b', 'as', 'bs'] as const;

/** Returns the anchor, or a description of what is wrong with the record. */
export function parseAnchor(value: unknown): Anchor | string {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'the anchor is not a map';
  const record = value as Record<string, unknown>;
  if (record.v !== 1) return `unknown anchor format version ${String(record.v)}`;
  for (const field of INTEGER_FIELDS) {
    if (!Number.isSafeInteger(record[field])) return `anchor field "${field}" is not an integer`;
  }
  for (const field of ['l', 'r'] as const) {
    const buffer = record[field];
    if (!Array.isArray(buffer) || !buffer.every(isElement)) return `anchor field "${field}" is not a list of elements (an external element must name a deque value key)`;
  }
  if (!Array.isArray(record.o) || !record.o.every((id) => typeof id === 'string')) return 'anchor field "o" is not a list of ids';
  const anchor = record as unknown as Anchor;
  return checkInvariants(anchor) ?? anchor;
}

/**
 * What every anchor a correct writer produces satisfies, so that a crafted
 * one (say a range of 2^53 chunks) is corruption at once instead of a walk
 * without end: the length counts the buffers and at least one element per
 * chunk (chunks are never empty), and chunk bases are earlier sequence numbers.
 */
function checkInvariants(anchor: Anchor): string | null {
  if (anchor.s < 0) return 'anchor sequence number is negative';
  if (anchor.n < 0) return 'anchor length is negative';
  if (anchor.a > anchor.b + 1) return 'anchor chunk range is inverted';
  const buffered = anchor.l.length + anchor.r.length;
  if (buffered > anchor.n) return `anchor buffers hold ${buffered} elements but its length is ${anchor.n}`;
  if (!hasChunks(anchor)) {
    if (buffered !== anchor.n) return `anchor length ${anchor.n} but no chunks and ${buffered} buffered elements`;
    return null;
  }
  const chunks = anchor.b - anchor.a + 1;
  if (chunks > anchor.n - buffered) return `anchor chunk range ${anchor.a}…${anchor.b} (${chunks} chunks) exceeds its ${anchor.n - buffered} unbuffered elements`;
  for (const [field, base] of [['as', anchor.as], ['bs', anchor.bs]] as const) {
    if (base < 0 || base >= anchor.s) return `anchor chunk base "${field}" ${base} is not an earlier sequence number (s = ${anchor.s})`;
  }
  return null;
}
