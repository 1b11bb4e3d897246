/**
 * Settling one delivery through its marker (records.ts). Every change is an
 * `add` (no marker yet) or a CAS (from an extension), so concurrent settlers
 * — the holder acking, a sweeper taking over an expired lease — are ordered
 * by memcached and exactly one wins.
 *
 * Lost replies: a write whose reply was lost is followed by a re-read; the
 * step function then sees our own write if it applied (an ack finds 'a', an
 * extension finds its time) and reports success — so every marker change is
 * idempotent under retries.
 */
import { McasContentionError, isLostReply, type Entry, type Store } from '@mcc/deque';
import { parseMarker, type Marker } from './records';

/** What a step decides for the marker as found: write a new one, or stop with a result. */
export type MarkerStep<R> = { readonly write: Marker } | { readonly done: R };

const ATTEMPTS = 8;
/**
 * Applies `step` to the marker under `key` until it reports `done`.
 * `known` is the marker entry if the caller just read it (null: known
 * absent; undefined: unknown — an `add` is tried first, the common case).
 */
export async function settleMarker<R>(
  store: Store,
  queue: string,
  key: string,
  ttlSeconds: number,
  step: (current: Marker | null) => MarkerStep<R>,
  known: Entry<unknown> | null | undefined = undefined,
): Promise<R> {
  let current: Entry<unknown> | null | undefined = known;
  let lastError: unknown;
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    try {
      if (current === undefined && attempt > 0) current = await store.get(key);
      const decision = step(current === undefined || current === null ? null : parseMarker(queue, key, current.value));
      if ('done' in decision) return decision.done;
      const written =
        current === undefined || current === null
          ? await store.add(key, decision.write, { ttl: ttlSeconds })
          : await store.cas(current, decision.write, { ttl: ttlSeconds });
      if (written !== null) {
        const after = step(decision.write);
        if ('done' in after) return after.done;
        current = written;
        continue;
      }
      current = undefined; // taken or changed meanwhile: read it and decide again
    } catch (error) {
      if (!isLostReply(error)) throw error;
      lastError = error;
      current = undefined;
      await new Promise((resolve) => setTimeout(resolve, 20 * (attempt + 1)));
    }
  }
  throw lastError ?? new McasContentionError(key, ATTEMPTS, `the delivery marker ${key} kept changing for ${ATTEMPTS} attempts`);
}
