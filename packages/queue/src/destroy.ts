/**
 * Destroying a queue: the markers of the deliveries in its lease log, its
 * four deques (`Deque.destroy`), and its record, in that order.
 *
 * The record goes last, the mirror of `create` (deques first, record last):
 * while it exists the queue exists, so a destroy that failed half-way is
 * finished by calling destroy again (a deque already gone is skipped), and
 * a `create` never meets deques a destroy left behind — it would open them,
 * old jobs and all.
 *
 * Markers: those of the deliveries in the lease log are deleted (the log is
 * read before it is destroyed). Others — earlier deliveries that expired or
 * were nacked, of jobs now anywhere — are not found without reading every
 * deque whole: they expire with their TTL (30 days). A queue created again
 * under the name never meets them: its jobs get fresh random ids.
 */
import { Deque } from '@mcc/deque';
import type { QueueCore } from './core';
import { QueueCorruptedError, QueueNotFoundError } from './errors';
import { parseItem } from './records';
import { WINDOW } from './sweep';

export async function destroyQueue(core: QueueCore): Promise<void> {
  if ((await core.store.get(core.keys.meta)) === null) throw new QueueNotFoundError(core.name, core.keys.meta);
  // Each deque is looked for first: one that an earlier, failed destroy removed is skipped (a
  // handle that has seen a deque would report its anchor gone as corruption, not as missing).
  if (await exists(core, core.leases)) await deleteLeaseMarkers(core);
  await Promise.all(
    [core.ready, core.leases, core.delayed, core.dead].map(async (deque) => {
      if (await exists(core, deque)) await deque.destroy();
    }),
  );
  await core.store.delete(core.keys.meta);
}

function exists(core: QueueCore, deque: Deque<unknown>): Promise<boolean> {
  return Deque.exists(core.store, deque.name);
}

/** The markers of the lease log's entries, a WINDOW at a time (never the whole log in memory). */
async function deleteLeaseMarkers(core: QueueCore): Promise<void> {
  for (let start = 0; ; start += WINDOW) {
    const page = await core.leases.range(start, start + WINDOW - 1);
    await Promise.all(page.flatMap((value) => markerKeyOf(core, value)).map((key) => core.store.deleteQuiet(key)));
    if (page.length < WINDOW) return;
  }
}

/** The marker key of a log entry; none for an entry of the wrong shape (it names no marker, and a corrupted queue can be destroyed too). */
function markerKeyOf(core: QueueCore, value: unknown): string[] {
  try {
    const entry = parseItem(core.name, core.keys.leases, value, true);
    return [core.keys.marker(entry.i, entry.d)];
  } catch (error) {
    if (error instanceof QueueCorruptedError) return [];
    throw error;
  }
}
