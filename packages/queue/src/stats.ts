/** Counting live leases: the lease log holds settled entries until a sweep drops them, so the markers tell. */
import type { QueueCore } from './core';
import { parseItem, parseMarker } from './records';

const SLICE = 100;

export async function countInFlight(core: QueueCore): Promise<number> {
  const log = (await core.leases.range(0, -1)).map((value) => parseItem(core.name, core.keys.leases, value, true));
  let live = 0;
  for (let start = 0; start < log.length; start += SLICE) {
    const keys = log.slice(start, start + SLICE).map((entry) => core.keys.marker(entry.i, entry.d));
    const markers = await core.store.getMulti(keys);
    for (const key of keys) {
      const entry = markers.get(key);
      if (entry === undefined || parseMarker(core.name, key, entry.value).s === 'e') live++;
    }
  }
  return live;
}
