/**
 * The holder's side of one claim batch's marker: every settle (ack, nack,
 * extend) of the batch's jobs in this process goes through it, combined —
 * the settles asked for while a write is in flight, or before the current
 * chain of promise continuations has run out, go in the next single
 * add/CAS (markers.ts). Consumers that ack the jobs of one claim at about
 * the same time (the common case) thus cost one request between them, not
 * one each. The gathering waits with `process.nextTick`, which runs once
 * the microtasks queued so far (the consumers' continuations after the
 * claim) are done — before the connection's flush (a `setImmediate`), so
 * the write leaves in the same socket write as whatever else is queued.
 *
 * It remembers the marker entry it last wrote, so its next CAS needs no
 * read: only a sweeper's takeover (or a sweep's delete of a fully settled
 * batch) changes the marker behind its back, and then the refused CAS
 * costs one re-read.
 */
import type { Entry } from '@mcc/deque';
import type { QueueCore } from './core';
import { settleSlots, type SlotStep } from './markers';

interface Pending {
  readonly slot: number;
  readonly step: SlotStep<unknown>;
  readonly resolve: (result: unknown) => void;
  readonly reject: (error: Error) => void;
}

export class BatchMarker {
  /** The marker's key (mcc:q:NAME:b:ID). */
  readonly key: string;
  readonly #core: QueueCore;
  readonly #pending: Pending[] = [];
  #running = false;
  /** The marker as this process last wrote or read it; undefined: unknown (a new batch: nobody has written it yet, most likely). */
  #entry: Entry<unknown> | null | undefined = undefined;

  constructor(core: QueueCore, batch: string) {
    this.#core = core;
    this.key = core.keys.marker(batch);
  }

  /** Applies `step` to slot `slot` (with the other settles waiting); resolves with the step's result. */
  settle<R>(slot: number, step: SlotStep<R>): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.#pending.push({ slot, step, resolve: resolve as (result: unknown) => void, reject });
      if (!this.#running) void this.#run();
    });
  }

  async #run(): Promise<void> {
    this.#running = true;
    try {
      while (this.#pending.length > 0) {
        await new Promise<void>((resolve) => process.nextTick(resolve)); // let the batch's other settles join
        const round = this.#takeRound();
        try {
          const steps = new Map<number, SlotStep<unknown>>();
          for (const [slot, pending] of round) steps.set(slot, pending.step);
          const settled = await settleSlots(this.#core.store, this.#core.name, this.key, steps, this.#entry);
          this.#entry = settled.entry;
          for (const [slot, pending] of round) pending.resolve(settled.results.get(slot));
        } catch (error) {
          this.#entry = undefined;
          for (const pending of round.values()) pending.reject(error as Error);
        }
      }
    } finally {
      this.#running = false;
    }
  }

  /** The settles of the next write: one per slot (a second settle of one slot — a concurrent ack and nack — waits for the next). */
  #takeRound(): Map<number, Pending> {
    const round = new Map<number, Pending>();
    const later: Pending[] = [];
    for (const pending of this.#pending) {
      if (round.has(pending.slot)) later.push(pending);
      else round.set(pending.slot, pending);
    }
    this.#pending.length = 0;
    this.#pending.push(...later);
    return round;
  }
}
