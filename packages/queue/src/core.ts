/**
 * What every part of one queue handle shares: its store, its four deques,
 * its settings. Built once per handle by WorkQueue.
 */
import { MAX_RELATIVE_TTL_SECONDS, type Deque, type Store } from '@mcc/deque';
import type { DeadLetter, QueueKeys, ReadyItem, TimedItem } from './records';

export interface QueueSettings {
  /** Lease length of a claim, ms. */
  readonly leaseMs: number;
  /** Claims a job may have; the next redelivery goes to the dead letters instead. */
  readonly maxDeliveries: number;
  /** Largest difference between consumers' clocks the queue tolerates, ms: a lease counts as expired only this long after its end. */
  readonly maxClockSkewMs: number;
}

export interface QueueCore {
  readonly name: string;
  readonly store: Store;
  readonly keys: QueueKeys;
  readonly ready: Deque<ReadyItem>;
  readonly leases: Deque<TimedItem>;
  readonly delayed: Deque<TimedItem>;
  readonly dead: Deque<DeadLetter>;
  /** The settings, once known (the queue record is read on the first operation of a bound handle). */
  settings(): Promise<QueueSettings>;
}

/** The longest lease, and the longest extension: 2^31 − 1 ms (about 24.8 days), under MARKER_TTL_SECONDS. */
export const MAX_LEASE_MS = 2_147_483_647;

/**
 * A marker must outlive the lease-log entry it settles, which stays until a
 * sweep drops it — and sweeps run only while consumers claim. So markers
 * live as long as memcached lets a relative TTL be (MAX_RELATIVE_TTL_SECONDS,
 * 30 days). With one day, as before, a queue left without
 * consumers for a day redelivered the jobs acknowledged just before they
 * stopped, and an extension beyond a day lapsed after a day
 * (test/marker-ttl.test.ts). Beyond 30 days without a sweep the same can
 * happen (README, "Expiry").
 */
export const MARKER_TTL_SECONDS = MAX_RELATIVE_TTL_SECONDS;
