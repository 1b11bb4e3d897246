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
 * Cross-process combining (combine.ts) adds, all four together, with v = 2
 * (so a reader or writer that knows only version 1 refuses the anchor
 * instead of dropping a pending result):
 *
 *   g   generation of the announcement log: +1 on every switch to a new log
 *   q   id of the current log (its key: keys.log(q)); unique per generation
 *   k   bytes of log q already applied (frames are applied in log order)
 *   x   pending results: announced op id → result (true: a push applied;
 *       null: a pop found the deque empty; an element: the value popped),
 *       kept until the announcer's ack frame (or its own CAS) removes it
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
import { randomInt } from 'node:crypto';
import { isElement, type Element } from './element';

/** A pending result: `true` a push applied, `null` a pop of an empty deque, an element the value popped. */
export type OpResult = true | null | Element;

export interface Anchor {
  readonly v: 1 | 2;
  readonly s: number;
  readonly n: number;
  readonly l: readonly Element[];
  readonly r: readonly Element[];
  readonly a: number;
  readonly b: number;
  readonly as: number;
  readonly bs: number;
  readonly o: readonly string[];
  readonly g?: number;
  readonly q?: string;
  readonly k?: number;
  readonly x?: Readonly<Record<string, OpResult>>;
}

/** The combining fields of an anchor, or null for one that never combined. */
export function combiningOf(anchor: Anchor): { g: number; q: string; k: number; x: Readonly<Record<string, OpResult>> } | null {
  return anchor.q === undefined ? null : { g: anchor.g!, q: anchor.q, k: anchor.k!, x: anchor.x! };
}

/** Log ids and op ids: base64url, as mcc writes them (short enough for a key). */
const ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

export function isId(value: unknown): value is string {
  return typeof value === 'string' && ID_PATTERN.test(value);
}

export function isOpResult(value: unknown): value is OpResult {
  return value === true || value === null || isElement(value);
}

/** How many batch ids the anchor remembers: a lost reply is resolvable while fewer batches followed it. */
export const RECENT_BATCHES = 16;

export function emptyAnchor(): Anchor {
  return { v: 1, s: 0, n: 0, l: [], r: [], a: 0, b: -1, as: 0, bs: 0, o: [] };
}

/** Sequence numbers of a new deque start below this (2^48 − 1: far from 2^53, room for 2^53 − 2^48 changes). */
const SEQUENCE_START_BOUND = 2 ** 48 - 1;

/**
 * The first anchor of a new deque: empty, its sequence number `s` at random.
 * A chunk is known by its slot and its base (the `s` it was flushed at): the
 * planning cache of every handle, and a flush that finds its slot taken,
 * trust a chunk of the same slot and base to hold the same elements. Within
 * one deque that is true (`s` only grows); across two deques of the same name
 * — one destroyed and created again, or created again on a restarted server
 * while another process still holds a handle, or a leftover chunk of the
 * first in the second's key space — it is true only if their bases never
 * meet, which starting both at 0 made likely: a handle then popped the old
 * deque's elements from its cache in place of the new one's
 * (test/recreated.test.ts). From random starts two deques' bases meet with
 * negligible probability.
 */
export function createdAnchor(): Anchor {
  return { ...emptyAnchor(), s: randomInt(SEQUENCE_START_BOUND) };
}

export function hasChunks(anchor: Pick<Anchor, 'a' | 'b'>): boolean {
  return anchor.a <= anchor.b;
}

const INTEGER_FIELDS = ['s', 'n', 'a', 'b', 'as', 'bs'] as const;

/** Returns the anchor, or a description of what is wrong with the record. */
export function parseAnchor(value: unknown): Anchor | string {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'the anchor is not a map';
  const record = value as Record<string, unknown>;
  if (record.v !== 1 && record.v !== 2) return `unknown anchor format version ${String(record.v)}`;
  for (const field of INTEGER_FIELDS) {
    if (!Number.isSafeInteger(record[field])) return `anchor field "${field}" is not an integer`;
  }
  for (const field of ['l', 'r'] as const) {
    const buffer = record[field];
    if (!Array.isArray(buffer) || !buffer.every(isElement)) return `anchor field "${field}" is not a list of elements (an external element must name a deque value key)`;
  }
  if (!Array.isArray(record.o) || !record.o.every((id) => typeof id === 'string')) return 'anchor field "o" is not a list of ids';
  const combining = checkCombining(record);
  if (combining !== null) return combining;
  const anchor = record as unknown as Anchor;
  return checkInvariants(anchor) ?? anchor;
}

/** Version 2 carries all four combining fields, version 1 none of them. */
function checkCombining(record: Record<string, unknown>): string | null {
  const fields = ['g', 'q', 'k', 'x'].filter((field) => record[field] !== undefined);
  if (record.v === 1) return fields.length === 0 ? null : `a version 1 anchor carries combining field "${fields[0]}"`;
  if (fields.length < 4) return 'a version 2 anchor needs all of the combining fields g, q, k, x';
  if (!Number.isSafeInteger(record.g) || (record.g as number) < 0) return 'anchor field "g" is not a generation (an integer ≥ 0)';
  if (!Number.isSafeInteger(record.k) || (record.k as number) < 0) return 'anchor field "k" is not a byte offset (an integer ≥ 0)';
  if (!isId(record.q)) return 'anchor field "q" is not a log id (1-64 characters of base64url)';
  const results = record.x;
  if (typeof results !== 'object' || results === null || Array.isArray(results)) return 'anchor field "x" is not a map of results';
  for (const [id, result] of Object.entries(results)) {
    if (!isId(id) || !isOpResult(result)) return `anchor field "x" holds a bad result for ${JSON.stringify(id)} (true, nil or an element)`;
  }
  return null;
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
