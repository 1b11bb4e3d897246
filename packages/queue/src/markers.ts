/**
 * Settling deliveries through their batch marker (records.ts): one item per
 * claim batch, an array whose slot k holds the state of the delivery in
 * slot k. Every change is an `add` (no marker yet) or a CAS of the whole
 * array, so concurrent settlers — the holder acking, a sweeper taking over
 * an expired lease — are ordered by memcached and exactly one change of
 * each slot wins; a CAS refused because ANOTHER slot changed is just read
 * again and re-decided (each slot's step sees only its own slot).
 *
 * Why CAS and not `append` (which would need no read before a write): on
 * the meta wire a refused `ms … MA` (out of memory under `-M`, too large)
 * deletes the item (docs/FORMAT.md, "Server facts"), and a deleted marker
 * would lose other deliveries' acks, takeovers and extensions. A CAS (sent
 * as `replace` with the CAS id) and an `add` keep the item when refused.
 * The holder of a batch writes from the entry it wrote last (batch-marker.ts),
 * so its CAS needs no read: one request per settle, as `append` would be.
 *
 * Lost replies: a write whose reply was lost is followed by a re-read; each
 * step then sees its own write if it applied (an ack finds 'a', an
 * extension finds its time) and reports success — so every slot change is
 * idempotent under retries.
 */
import { McasContentionError, StaleCasError, isLostReply, type Entry, type Store } from '@mcc/deque';
import { MARKER_TTL_SECONDS } from './core';
import { parseSlots, type Marker } from './records';

/** What a step decides for its slot as found: write a new state, or stop with a result. */
export type MarkerStep<R> = { readonly write: Marker } | { readonly done: R };
export type SlotStep<R> = (current: Marker | null) => MarkerStep<R>;

export interface Settled<R> {
  /** Each slot's result. */
  readonly results: Map<number, R>;
  /** The marker as last read or written (undefined: unknown, null: known missing) — where the next CAS can start. */
  readonly entry: Entry<unknown> | null | undefined;
}

const ATTEMPTS = 8;

/**
 * Applies each slot's step to the marker under `key` until every step
 * reports `done`; all the slots' writes go in one add/CAS. `known` is the
 * marker entry if the caller just read or wrote it (null: known absent;
 * undefined: unknown — an `add` is tried first, the common case).
 */
export async function settleSlots<R>(store: Store, queue: string, key: string, steps: ReadonlyMap<number, SlotStep<R>>, known: Entry<unknown> | null | undefined = undefined): Promise<Settled<R>> {
  let current: Entry<unknown> | null | undefined = known;
  const results = new Map<number, R>();
  let lastError: unknown;
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    try {
      if (current === undefined && attempt > 0) current = await store.get(key);
      const slots = current === undefined || current === null ? [] : parseSlots(queue, key, current.value);
      const next: (Marker | null)[] = [...slots];
      const written: number[] = [];
      for (const [slot, step] of steps) {
        if (results.has(slot)) continue;
        const decision = step(slots[slot] ?? null);
        if ('done' in decision) results.set(slot, decision.done);
        else {
          while (next.length < slot) next.push(null);
          next[slot] = decision.write;
          written.push(slot);
        }
      }
      if (written.length === 0) return { results, entry: current };
      const entry =
        current === undefined || current === null ? await store.add(key, next, { ttl: MARKER_TTL_SECONDS }) : await store.cas(current, next, { ttl: MARKER_TTL_SECONDS });
      if (entry === null) {
        current = undefined; // taken or changed meanwhile: read it and decide again
        continue;
      }
      current = entry;
      for (const slot of written) {
        const after = steps.get(slot)!(next[slot]!);
        if ('done' in after) results.set(slot, after.done);
      }
      if (results.size === steps.size) return { results, entry };
    } catch (error) {
      if (error instanceof StaleCasError) {
        current = undefined; // the server restarted since our entry: read it again
        continue;
      }
      if (!isLostReply(error)) throw error;
      lastError = error;
      current = undefined;
      await new Promise((resolve) => setTimeout(resolve, 20 * (attempt + 1)));
    }
  }
  throw lastError ?? new McasContentionError(key, ATTEMPTS, `the batch marker ${key} kept changing for ${ATTEMPTS} attempts`);
}
