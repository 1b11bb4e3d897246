/**
 * What every part of one queue handle shares: its store, its four deques,
 * its settings. Built once per handle by WorkQueue.
 */
import type { Deque, Store } from '@mcc/deque';
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

/** Markers must outlive any holder that could still try to settle its delivery: one day, like MCAS descriptors. */
export const MARKER_TTL_SECONDS = 86_400;
