/**
 * Counting a queue's jobs where they stand. The lease log holds settled
 * entries until a sweep moves them on, so its markers tell: a live lease is
 * in flight; an acked one is done; a taken-over or nacked one is counted
 * where the sweep will send it (ready, delayed or dead; sweep.ts owns the
 * rule) — else a job nacked a moment ago would be in no count at all.
 */
import type { QueueCore, QueueSettings } from './core';
import { parseItem, parseMarker } from './records';
import { leaseStanding } from './sweep';

const SLICE = 100;

/** The lease log's share of each count. */
export interface LeaseLogCounts {
  inFlight: number;
  ready: number;
  delayed: number;
  dead: number;
}

export async function countLeaseLog(core: QueueCore, settings: QueueSettings): Promise<LeaseLogCounts> {
  const log = (await core.leases.range(0, -1)).map((value) => parseItem(core.name, core.keys.leases, value, true));
  const counts: LeaseLogCounts = { inFlight: 0, ready: 0, delayed: 0, dead: 0 };
  for (let start = 0; start < log.length; start += SLICE) {
    const entries = log.slice(start, start + SLICE);
    const keys = entries.map((entry) => core.keys.marker(entry.i, entry.d));
    const markers = await core.store.getMulti(keys);
    const now = Date.now();
    entries.forEach((entry, index) => {
      const found = markers.get(keys[index]!);
      const standing = leaseStanding(found === undefined ? null : parseMarker(core.name, keys[index]!, found.value), entry.d, settings.maxDeliveries, now);
      if (standing !== 'done') counts[standing]++;
    });
  }
  return counts;
}
