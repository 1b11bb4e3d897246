/**
 * Walks a whole deque for operators (`mcc inspect`, `mcc fsck`): reads the
 * anchor and every chunk and large value, checks each link and the length,
 * and reports what is wrong with the keys involved. Read-only.
 */
import type { Store } from '@mcc/mcas';
import { hasChunks, parseAnchor, type Anchor } from './anchor';
import { parseChunk } from './chunk';
import { isExternal, type Element } from './element';
import { dequeKeys, validateDequeName } from './keys';
import { mcasGet } from '@mcc/mcas';

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
  /** Anchor sequence number (changes so far). */
  readonly sequence: number;
  /** The leftmost and rightmost values, when readable. */
  readonly left?: unknown;
  readonly right?: unknown;
  readonly problems: readonly DequeProblem[];
}

const SLICE = 100;

export async function inspectDeque(store: Store, name: string, options: { colocate?: boolean } = {}): Promise<DequeReport> {
  const keys = dequeKeys(validateDequeName(name), options.colocate ?? false);
  const entry = await mcasGet(store, keys.anchor);
  const base = { name, anchorKey: keys.anchor };
  if (entry === null) {
    return { ...base, exists: false, length: 0, counted: 0, leftBuffer: 0, rightBuffer: 0, chunks: 0, externalValues: 0, sequence: 0, problems: [{ key: keys.anchor, problem: 'the anchor is missing' }] };
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
    problems,
  };
}

function checkBase(anchor: Anchor, slot: number, base: number, key: string, problems: DequeProblem[]): void {
  if (base > anchor.s) problems.push({ key, problem: `chunk base ${base} is newer than the anchor (${anchor.s})` });
  if (slot === anchor.a && base !== anchor.as) problems.push({ key, problem: `leftmost chunk has base ${base}, the anchor expects ${anchor.as}` });
  if (slot === anchor.b && base !== anchor.bs) problems.push({ key, problem: `rightmost chunk has base ${base}, the anchor expects ${anchor.bs}` });
}
