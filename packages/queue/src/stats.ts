/** Counting live leases: the lease log holds settled entries until a sweep drops them, so the batch markers tell. */
import type { QueueCore } from './core';
import { isFinal, parseLease, parseSlots, type Marker } from './records';

const SLICE = 100;

export async function countInFlight(core: QueueCore): Promise<number> {
  const log = (await core.leases.range(0, -1)).map((value) => parseLease(core.name, core.keys.leases, value));
  const keys = [...new Set(log.map((entry) => core.keys.marker(entry.b)))];
  const slots = new Map<string, readonly (Marker | null)[]>();
  for (let start = 0; start < keys.length; start += SLICE) {
    const markers = await core.store.getMulti(keys.slice(start, start + SLICE));
    for (const [key, entry] of markers) slots.set(key, parseSlots(core.name, key, entry.value));
  }
  return log.filter((entry) => !isFinal(slots.get(core.keys.marker(entry.b))?.[entry.k])).length;
}
