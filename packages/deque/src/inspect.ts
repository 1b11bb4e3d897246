/**
 * Walks a whole deque for operators (`mcc inspect`, `mcc fsck`): reads the
 * anchor and every chunk and large value, checks each link and the length,
 * and reports what is wrong with the keys involved. Read-only.
 *
 * Combining (anchor version 2) is reported, not judged: unapplied frames and
 * unacked results are normal while processes work; a missing or unreadable
 * log loses nothing (its announcers announce again). Only a pending result
 * whose popped value item is missing is a problem: that value is lost.
 */
import type { Store } from '@mcc/mcas';
import { combiningOf, hasChunks, parseAnchor, type Anchor } from './anchor';
import { AnnouncementLog, parseFrames } from './log';
import { parseChunk } from './chunk';
import { isExternal, type Element } from './element';
import { dequeKeys, validateDequeName } from './keys';
import { mcasGet } from '@mcc/mcas';
import { anchorFoundElsewhere } from './placement';

export interface DequeProblem {
  readonly key: string;
  readonly problem: string;
}

export interface DequeReport {
  readonly name: string;
  readonly anchorKey: string;
  /** False if the anchor does not exist. */
  readonly exists: boolean;
  /** The length the anchor records. */
  readonly length: number;
  /** Values actually found walking left to right. */
  readonly counted: number;
  readonly leftBuffer: number;
  readonly rightBuffer: number;
  readonly chunks: number;
  readonly externalValues: number;
  /** Anchor sequence number: +1 on every change, from a random start (a new deque's is not 0). */
  readonly sequence: number;
  /** The leftmost and rightmost values, when readable. */
  readonly left?: unknown;
  readonly right?: unknown;
  /** Cross-process combining state, when the anchor has it (version 2). */
  readonly combining?: CombiningReport;
  readonly problems: readonly DequeProblem[];
}

export interface CombiningReport {
  /** Log generation and key. */
  readonly generation: number;
  readonly logKey: string;
  /** Bytes of the log applied, and its length (null: the log is missing; the next combiner replaces it). */
  readonly appliedBytes: number;
  readonly logBytes: number | null;
  /** Frames announced and not yet applied: op ids and what they do. */
  readonly pendingFrames: readonly { readonly id: string; readonly op: 'pushRight' | 'pushLeft' | 'popRight' | 'popLeft' | 'ack' }[];
  /** Why the frames after the applied bytes cannot be read (the next combiner switches logs), or null. */
  readonly unreadable: string | null;
  /** Results applied but not yet acked by their announcers: op id and 'push', 'empty' or 'popped'. */
  readonly unackedResults: readonly { readonly id: string; readonly result: 'push' | 'empty' | 'popped' }[];
}

const FRAME_OPS = { 1: 'pushRight', 2: 'pushLeft', 3: 'popRight', 4: 'popLeft', 5: 'ack' } as const;

async function inspectCombining(store: Store, anchor: Anchor, keys: ReturnType<typeof dequeKeys>, problems: DequeProblem[]): Promise<CombiningReport | undefined> {
  const combining = combiningOf(anchor);
  if (combining === null) return undefined;
  const log = await new AnnouncementLog(store, keys).read(combining.q);
  let unreadable: string | null = null;
  const pendingFrames: { id: string; op: CombiningReport['pendingFrames'][number]['op'] }[] = [];
  if (log.bytes === null) unreadable = 'the log is missing';
  else if (log.bytes.length < combining.k) unreadable = `the log holds ${log.bytes.length} bytes, fewer than the ${combining.k} applied`;
  else {
    const frames = parseFrames(store, log.bytes, combining.k);
    if (typeof frames === 'string') unreadable = frames;
    else for (const { frame } of frames) pendingFrames.push({ id: frame.id, op: FRAME_OPS[frame.code] });
  }
  const unackedResults = Object.entries(combining.x).map(([id, result]) => ({ id, result: result === true ? ('push' as const) : result === null ? ('empty' as const) : ('popped' as const) }));
  // A popped large value waiting for its announcer lives only in its item: missing, it is lost.
  const parked = Object.values(combining.x).flatMap((result) => (result !== true && result !== null && isExternal(result) ? [result[1]] : []));
  if (parked.length > 0) {
    const found = await store.getMulti(parked);
    for (const key of parked) if (!found.has(key)) problems.push({ key, problem: 'a popped value waiting for its announcer (anchor x) is missing' });
  }
  return { generation: combining.g, logKey: keys.log(combining.q), appliedBytes: combining.k, logBytes: log.bytes?.length ?? null, pendingFrames, unreadable, unackedResults };
}

const SLICE = 100;

export async function inspectDeque(store: Store, name: string, options: { colocate?: boolean } = {}): Promise<DequeReport> {
  const keys = dequeKeys(validateDequeName(name), options.colocate ?? false);
  const entry = await mcasGet(store, keys.anchor);
  const base = { name, anchorKey: keys.anchor };
  if (entry === null) {
    // Perhaps not lost but placed elsewhere by an earlier server list (placement.ts): say where.
    const foundOn = await anchorFoundElsewhere(store.client, keys.anchor);
    const problem =
      foundOn.length === 0
        ? 'the anchor is missing'
        : `the anchor is missing on ${store.client.serverFor(keys.anchor)}, where this server list places it, but one is on ${foundOn.join(', ')}: the server list changed since the deque was created`;
    return { ...base, exists: false, length: 0, counted: 0, leftBuffer: 0, rightBuffer: 0, chunks: 0, externalValues: 0, sequence: 0, problems: [{ key: keys.anchor, problem }] };
  }
  const anchor = parseAnchor(entry.value);
  if (typeof anchor === 'string') {
    return { ...base, exists: true, length: 0, counted: 0, leftBuffer: 0, rightBuffer: 0, chunks: 0, externalValues: 0, sequence: 0, problems: [{ key: keys.anchor, problem: anchor }] };
  }
  const problems: DequeProblem[] = [];
  const elements: Element[] = [...anchor.l];
  let chunks = 0;
  if (hasChunks(anchor)) {
    for (let start = anchor.a; start <= anchor.b; start += SLICE) {
      const slots = Array.from({ length: Math.min(SLICE, anchor.b - start + 1) }, (_, index) => start + index);
      const found = await store.getMulti(slots.map((slot) => keys.chunk(slot)));
      if (found.size === 0) {
        // A whole slice missing: report the rest of the range once rather than walk it (a crafted range may be huge).
        problems.push({ key: keys.chunk(start), problem: `chunks ${start}…${anchor.b} of range ${anchor.a}…${anchor.b} are missing` });
        break;
      }
      for (const slot of slots) {
        const key = keys.chunk(slot);
        const chunkEntry = found.get(key);
        if (chunkEntry === undefined) {
          problems.push({ key, problem: `chunk ${slot} of range ${anchor.a}…${anchor.b} is missing` });
          continue;
        }
        const chunk = parseChunk(chunkEntry.value);
        if (typeof chunk === 'string') {
          problems.push({ key, problem: chunk });
          continue;
        }
        checkBase(anchor, slot, chunk.s, key, problems);
        chunks++;
        elements.push(...chunk.e);
      }
    }
  }
  elements.push(...anchor.r);
  const external = elements.filter(isExternal).map((element) => element[1]);
  const values = new Map<string, unknown>();
  for (let start = 0; start < external.length; start += SLICE) {
    const found = await store.getMulti(external.slice(start, start + SLICE));
    for (const key of external.slice(start, start + SLICE)) {
      const value = found.get(key);
      if (value === undefined) problems.push({ key, problem: 'a stored value is missing' });
      else values.set(key, value.value);
    }
  }
  if (elements.length !== anchor.n) problems.push({ key: keys.anchor, problem: `the anchor records ${anchor.n} values but ${elements.length} were found` });
  const decode = (bytes: Uint8Array): unknown => {
    try {
      return store.codec.decode(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    } catch (error) {
      problems.push({ key: keys.anchor, problem: `an end value does not decode: ${(error as Error).message}` });
      return undefined;
    }
  };
  const combining = await inspectCombining(store, anchor, keys, problems);
  const valueOf = (element: Element | undefined): unknown => (element === undefined ? undefined : isExternal(element) ? values.get(element[1]) : decode(element[1]));
  return {
    ...base,
    exists: true,
    length: anchor.n,
    counted: elements.length,
    leftBuffer: anchor.l.length,
    rightBuffer: anchor.r.length,
    chunks,
    externalValues: external.length,
    sequence: anchor.s,
    left: valueOf(elements[0]),
    right: valueOf(elements[elements.length - 1]),
    ...(combining === undefined ? {} : { combining }),
    problems,
  };
}

function checkBase(anchor: Anchor, slot: number, base: number, key: string, problems: DequeProblem[]): void {
  if (base > anchor.s) problems.push({ key, problem: `chunk base ${base} is newer than the anchor (${anchor.s})` });
  if (slot === anchor.a && base !== anchor.as) problems.push({ key, problem: `leftmost chunk has base ${base}, the anchor expects ${anchor.as}` });
  if (slot === anchor.b && base !== anchor.bs) problems.push({ key, problem: `rightmost chunk has base ${base}, the anchor expects ${anchor.bs}` });
}
