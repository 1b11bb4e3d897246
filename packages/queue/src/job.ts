/**
 * A claimed job: the value, and the three ways to settle its delivery —
 * each one change of the delivery's marker (markers.ts), so they are
 * idempotent under lost replies and race a sweeper's takeover fairly.
 */
import { InvalidArgumentError } from '@mcc/deque';
import type { QueueCore } from './core';
import { MARKER_TTL_SECONDS, MAX_LEASE_MS } from './core';
import { LeaseExpiredError } from './errors';
import { settleMarker, type MarkerStep } from './markers';
import type { Marker, TimedItem } from './records';
import { queueOp } from './tracing';

type Outcome = null | Error;

export class Job<T = unknown> {
  /** The id `push` returned. */
  readonly id: string;
  readonly value: T;
  /** Which claim of the job this is: 1 on the first, +1 on each redelivery. */
  readonly deliveries: number;
  #leaseUntil: number;
  #state: 'leased' | 'acked' | 'nacked' = 'leased';
  readonly #core: QueueCore;
  readonly #onNack: () => void;

  /** @internal Jobs come from `WorkQueue.claim`. */
  constructor(core: QueueCore, lease: TimedItem, onNack: () => void) {
    this.#core = core;
    this.id = lease.i;
    this.value = lease.v as T;
    this.deliveries = lease.d;
    this.#leaseUntil = lease.u;
    this.#onNack = onNack;
  }

  /** End of the lease (ms since the epoch, this process's clock). After it, the job may be redelivered to another consumer. */
  get leaseUntil(): number {
    return this.#leaseUntil;
  }

  /**
   * Marks the job done: it is never delivered again. Idempotent (a second
   * call resolves at once). Succeeds after the lease ended as long as no
   * other consumer took the job over.
   * @throws LeaseExpiredError if the lease expired and another consumer took the job over (it may run twice)
   */
  async ack(): Promise<void> {
    if (this.#state === 'acked') return;
    this.#checkLeased('ack');
    await this.#settle('ack', (current) => {
      if (current === null || current.s === 'e') return { write: { s: 'a' } };
      if (current.s === 'a') return { done: null };
      return { done: this.#expired(current) };
    });
    this.#state = 'acked';
  }

  /**
   * Gives the job back: claimable again at once, or after `delayMs`. It
   * counts as a delivery (the next claim has `deliveries + 1`; past
   * maxDeliveries it goes to the dead letters). The job is put back by the
   * next sweep of the lease log: this process sweeps at its next claim;
   * otherwise any consumer's periodic sweep, within leaseMs / 4 (≤ 1 s).
   * @throws LeaseExpiredError if the lease expired and another consumer took the job over
   */
  async nack(options: { delayMs?: number } = {}): Promise<void> {
    const delayMs = options.delayMs ?? 0;
    if (!(Number.isFinite(delayMs) && delayMs >= 0)) throw new InvalidArgumentError(`nack: delayMs must be a number ≥ 0, got ${String(delayMs)}`);
    this.#checkLeased('nack');
    const at = Date.now() + delayMs;
    await this.#settle('nack', (current) => {
      if (current === null || current.s === 'e') return { write: { s: 'n', u: at } };
      if (current.s === 'n') return { done: null };
      return { done: this.#expired(current) };
    });
    this.#state = 'nacked';
    this.#onNack();
  }

  /**
   * Extends the lease to `ms` from now (the job is not redelivered while
   * the lease lasts). Works after the lease ended as long as no other
   * consumer took the job over.
   * @throws LeaseExpiredError if the lease expired and another consumer took the job over
   */
  async extend(ms: number): Promise<void> {
    if (!(Number.isFinite(ms) && ms > 0 && ms <= MAX_LEASE_MS)) throw new InvalidArgumentError(`extend: ms must be a number > 0 and ≤ ${MAX_LEASE_MS} (the longest lease), got ${String(ms)}`);
    this.#checkLeased('extend');
    const until = Date.now() + ms;
    await this.#settle('extend', (current) => {
      if (current === null) return { write: { s: 'e', u: until } };
      if (current.s === 'e') return current.u >= until ? { done: null } : { write: { s: 'e', u: until } };
      return { done: this.#expired(current) };
    });
    this.#leaseUntil = Math.max(this.#leaseUntil, until);
  }

  #checkLeased(operation: string): void {
    if (this.#state !== 'leased') throw new InvalidArgumentError(`${operation}: job ${this.id} was already ${this.#state}`);
  }

  /** A marker this delivery's holder did not write: taken over ('x'), or settled elsewhere. */
  #expired(marker: Marker): Error {
    return marker.s === 'x'
      ? new LeaseExpiredError(this.#core.name, this.id, this.deliveries, this.#core.keys.marker(this.id, this.deliveries))
      : new InvalidArgumentError(`job ${this.id} (delivery ${this.deliveries}) is already settled (${marker.s})`);
  }

  /** One settling change of the marker, traced as `kind` on `mcc:queue:op`. */
  #settle(kind: 'ack' | 'nack' | 'extend', step: (current: Marker | null) => MarkerStep<Outcome>): Promise<void> {
    return queueOp(this.#core.name, kind, [this.id], this.deliveries, () => this.#settleMarker(step));
  }

  async #settleMarker(step: (current: Marker | null) => MarkerStep<Outcome>): Promise<void> {
    const key = this.#core.keys.marker(this.id, this.deliveries);
    const outcome = await settleMarker(this.#core.store, this.#core.name, key, MARKER_TTL_SECONDS, step);
    if (outcome !== null) throw outcome;
  }
}
