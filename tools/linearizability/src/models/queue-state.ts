/**
 * The queue model's state and the changes every step is made of (see
 * queue-model.ts). Built for the search: jobs are compared and keyed by
 * numbers (valueNumbers in model.ts), each job's deliveries are one short string of
 * status letters, so a step copies a few arrays and never sorts or
 * serializes values, and the memo key is numbers and letters.
 */

/** A job waiting: [value, claims so far, the value's number (equal values, equal numbers: see valueNumbers)]. */
export type QueueJob<V = unknown> = readonly [V, number, number];

/** A delivery's status, one character: leased, acked, nacked, taken over; `.` for a delivery number never handed out. */
export const LEASED = 'L';
export const ACKED = 'A';
export const NACKED = 'N';
export const TAKEN = 'T';

export interface QueueState<V = unknown> {
  /** Claimable jobs in order. */
  readonly ready: readonly QueueJob<V>[];
  /** Nacked or taken-over jobs not yet swept back, sorted by (number, claims). */
  readonly back: readonly QueueJob<V>[];
  /**
   * Every delivery, by the job's number: one status character per delivery
   * number from 1 (LEASED, ACKED, NACKED, TAKEN or `.`); undefined for a job
   * never claimed. Copied on change (a few dozen pointers), not sorted.
   */
  readonly deliveries: readonly (string | undefined)[];
  /** The value of each job number that has deliveries (for expireAll). */
  readonly values: readonly V[];
  /** Claims that may have leased a job to nobody, not yet accounted for. */
  readonly ghosts: number;
  readonly dead: number;
  /** After an `expireAll`. */
  readonly allExpired: boolean;
}

export function statusOf(state: QueueState, job: number, delivery: number): string | undefined {
  const status = state.deliveries[job]?.[delivery - 1];
  return status === '.' ? undefined : status;
}

export function withDelivery<V>(state: QueueState<V>, value: V, job: number, delivery: number, status: string): QueueState<V> {
  const deliveries = state.deliveries.slice();
  const old = deliveries[job] ?? '';
  deliveries[job] = old.length >= delivery ? old.slice(0, delivery - 1) + status + old.slice(delivery) : old + '.'.repeat(delivery - 1 - old.length) + status;
  let values = state.values;
  if (values[job] === undefined) {
    values = values.slice();
    (values as V[])[job] = value;
  }
  return { ...state, deliveries, values };
}

const byJob = (a: QueueJob, b: QueueJob): number => a[2] - b[2] || a[1] - b[1];

/** The job of delivery `delivery` goes back (or to the dead letters): after a nack or a takeover. */
export function sendBack<V>(state: QueueState<V>, value: V, job: number, delivery: number, maxDeliveries: number): QueueState<V> {
  if (delivery >= maxDeliveries) return { ...state, dead: state.dead + 1 };
  const back = [...state.back, [value, delivery, job] as const].sort(byJob);
  return { ...state, back };
}

/** Every lease still held is taken over: its job comes back. */
export function expireAll<V>(state: QueueState<V>, maxDeliveries: number): QueueState<V> {
  let next: QueueState<V> = { ...state, allExpired: true };
  state.deliveries.forEach((statuses, job) => {
    for (let at = 0; at < (statuses?.length ?? 0); at++) {
      if (statuses![at] !== LEASED) continue;
      const value = state.values[job]!;
      next = sendBack(withDelivery(next, value, job, at + 1, TAKEN), value, job, at + 1, maxDeliveries);
    }
  });
  return next;
}


/** Whether a count fits one character of a key: a whole number below 0xffff (a delivery number observed may be anything). */
const small = (n: number): boolean => (n & 0xffff) === n && n !== 0xffff;

/**
 * The memo key (Model.key): numbers and status letters only (`values`
 * follows from the numbers). Usually one character per number, each list
 * after its length, so no separator is needed; a state with a number too
 * large (or odd) for one character gets a longer textual key, which starts with a
 * digit, never with the compact key's first character (NUL).
 */
export function stateKey(state: QueueState): string {
  const { ready, back } = state;
  const fits = (job: QueueJob): boolean => small(job[1]) && small(job[2]);
  if (!small(ready.length) || !small(back.length) || !small(state.ghosts) || !small(state.dead) || !ready.every(fits) || !back.every(fits)) {
    const jobs = (list: readonly QueueJob[]): string => list.map((job) => `${job[2]}.${job[1]}`).join(',');
    return `${jobs(ready)}|${jobs(back)}|${state.deliveries.join(',')}|${state.ghosts}|${state.dead}|${state.allExpired ? 1 : 0}`;
  }
  let key = String.fromCharCode(0, state.allExpired ? 1 : 0, state.ghosts, state.dead, ready.length);
  for (const job of ready) key += String.fromCharCode(job[2], job[1]);
  key += String.fromCharCode(back.length);
  for (const job of back) key += String.fromCharCode(job[2], job[1]);
  // Status letters and `.`, one string per job number, the last: commas are enough.
  return key + state.deliveries.join(',');
}
