/**
 * Clearing: one CAS empties the anchor (the linearization point), then the
 * records that held the old content are deleted. Chunks are deleted by CAS
 * and only if they belong to the old state, so a chunk a new push already
 * flushed into a reused slot is never touched.
 */
import { RECENT_BATCHES, combiningOf, emptyAnchor, hasChunks, type Anchor } from './anchor';
import { parseChunk } from './chunk';
import { isExternal, type Element } from './element';
import { batchId } from './ids';
import { dropQuietly, type AnchorEntry, type DequeRecords } from './records';

const DELETE_SLICE = 100;

export async function clearDeque(records: DequeRecords): Promise<AnchorEntry> {
  for (;;) {
    const anchor = await records.readAnchor();
    const old = anchor.value;
    // Pending results and the log position survive a clear: a result is a completed
    // operation's (a popped value) its announcer has not read yet (combine.ts).
    const cleared: Anchor = { ...emptyAnchor(), v: old.v, s: old.s + 1, o: [...old.o, batchId()].slice(-RECENT_BATCHES), ...(combiningOf(old) ?? {}) };
    const next = await records.store.cas(anchor, cleared, { kind: anchor.kind });
    if (next === null) continue; // changed meanwhile: clear what is there now
    await collectGarbage(records, old);
    return next as AnchorEntry;
  }
}

async function collectGarbage(records: DequeRecords, old: Anchor): Promise<void> {
  const store = records.store;
  const dropValues = (elements: readonly Element[]): void => {
    for (const element of elements) if (isExternal(element)) dropQuietly(store, element[1]);
  };
  dropValues(old.l);
  dropValues(old.r);
  if (!hasChunks(old)) return;
  for (let start = old.a; start <= old.b; start += DELETE_SLICE) {
    const slots = Array.from({ length: Math.min(DELETE_SLICE, old.b - start + 1) }, (_, index) => start + index);
    const found = await store.getMulti(slots.map((slot) => records.keys.chunk(slot)));
    for (const entry of found.values()) {
      const chunk = parseChunk(entry.value);
      if (typeof chunk === 'string' || chunk.s > old.s) continue;
      dropValues(chunk.e);
      dropQuietly(store, entry);
    }
    // Every chunk of the old range exists until this clear deletes it; a gap means
    // the range claims more than was ever written (lost, or a crafted anchor): the
    // walk ends there, so its cost is bounded by the chunks that really exist.
    if (found.size < slots.length) return;
  }
}
