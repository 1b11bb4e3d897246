/**
 * Finding expired leases without a background process, and without
 * scanning everything on every claim: the lease-log sweep.
 *
 * Every claim appends its lease `{i, v, d, u}` to the right of the lease log
 * (a deque), in the same MCAS that takes the job from `ready` — so the log
 * is in claim order, which with one lease length is expiry order: the
 * leases that expire first are at the left end. A sweep therefore reads only
 * the leftmost WINDOW (256) entries (`range`, one anchor read plus the chunks it
 * covers) and the markers of their claim batches (one getMulti, one item
 * per batch), and decides for each entry, from its slot in its batch's marker:
 *
 *   slot 'a' (acked)              drop it
 *   slot 'x' (taken over)         redeliver it: ready's left end with d, or dead letters if d ≥ maxDeliveries
 *   slot 'n' (nacked, at u)       the same, or into `delayed` if u is still ahead
 *   null / 'e' (extended to u')   live while now ≤ max(u, u') + maxClockSkewMs: keep it;
 *                                 expired: write 'x' into the slot (add/CAS of the batch's
 *                                 marker — this races the holder's ack; exactly one wins)
 *                                 and redeliver it
 *
 * A batch is acted on only when the window holds all of its entries (each
 * entry's r says how many the log holds): a batch cut by the window's end is
 * kept as it is, untouched, for a later sweep — so the sweep that removes a
 * batch's last entries knows it, and deletes the batch's marker after its
 * transaction (unless a slot says 'x': a late ack of a taken-over job must
 * still find it and reject with LeaseExpiredError; it expires after a day).
 * The kept entries of a batch that lost some are pushed back with r = what
 * is left; all of a batch's kept entries go to the same end, so a batch
 * stays together in the log.
 *
 * The sweep commits all of it with ONE `Deque.transact`: take the window's entries
 * from the log, push the kept ones back (batches with an extended lease to the right end, so
 * a few long jobs never pin the window), the redelivered ones onto `ready`'s
 * left end (they are older than anything there, so push order holds), the
 * rest onto `delayed` / `dead`. The transaction is conditional: `decide`
 * aborts unless the log still starts with exactly the entries inspected, so
 * two sweepers never both act on one entry; the loser just stops.
 *
 * Crash safety: a sweeper that dies after writing 'x' but before its
 * transaction leaves the entry in the log with slot 'x' — the next sweep
 * redelivers it (helping). A consumer that dies holding a lease leaves an
 * entry that expires and is redelivered with d + 1 on its next claim.
 */
import { Deque, type Entry, type TransactPush, type TransactValue } from '@mcc/deque';
import type { QueueCore, QueueSettings } from './core';
import { QueueCorruptedError } from './errors';
import { settleSlots, type SlotStep } from './markers';
import { isFinal, parseLease, parseSlots, type DeadLetter, type LeaseItem, type Marker, type ReadyItem, type TimedItem } from './records';

/** Log entries one sweep looks at. */
export const WINDOW = 256;

export interface SweepReport {
  /** Entries the sweep looked at. */
  readonly seen: number;
  /** Acked entries removed. */
  readonly dropped: number;
  /** Jobs made claimable again after an expired lease. */
  readonly redelivered: number;
  /** Nacked jobs put back (now, or into `delayed`). */
  readonly nacked: number;
  /** Jobs moved to the dead letters. */
  readonly dead: number;
  /** Entries the sweep found settled (acked, taken over, nacked): more than half a full window says the log has more garbage behind — even when another sweeper committed first. */
  readonly settled: number;
  /** When the first lease the sweep kept counts as expired (ms epoch); Infinity if it kept none. Nothing in the window can be taken over before. */
  readonly nextExpiry: number;
}

type Fate =
  /** `until`: when the lease counts as expired (its end, extension included, plus the clock tolerance). */
  | { readonly kind: 'keep'; readonly extended: boolean; readonly until: number }
  | { readonly kind: 'drop' }
  | { readonly kind: 'redeliver' }
  | { readonly kind: 'nack'; readonly at: number };

/** One claim batch's entries in the window, and what the sweep does with them. */
interface BatchView {
  readonly key: string;
  /** Window indexes of the batch's entries, in log order. */
  readonly indexes: number[];
  /** The window holds all of the batch's entries in the log: the sweep may act on them. */
  whole: boolean;
  marker: Entry<unknown> | null;
}

const NOTHING: SweepReport = { seen: 0, dropped: 0, redelivered: 0, nacked: 0, dead: 0, settled: 0, nextExpiry: Infinity };

export async function sweepLeases(core: QueueCore, settings: QueueSettings): Promise<SweepReport> {
  const window = (await core.leases.range(0, WINDOW - 1)).map((value) => parseLease(core.name, core.keys.leases, value));
  if (window.length === 0) return NOTHING;
  const batches = viewBatches(core, window);
  const markers = await core.store.getMulti([...batches.values()].map((batch) => batch.key));
  const fates: Fate[] = new Array<Fate>(window.length);
  await Promise.all(
    [...batches.values()].map(async (batch) => {
      batch.marker = markers.get(batch.key) ?? null;
      if (batch.whole) await decideBatch(core, settings, window, batch, fates);
      else for (const index of batch.indexes) fates[index] = { kind: 'keep', extended: false, until: window[index]!.u + settings.maxClockSkewMs };
    }),
  );
  const nextExpiry = Math.min(...fates.map((fate) => (fate.kind === 'keep' ? fate.until : Infinity)));
  if (fates.every((fate) => fate.kind === 'keep' && !(fate.extended && window.length === WINDOW))) return { ...NOTHING, seen: window.length, nextExpiry };
  const now = Date.now();
  const keepLeft: TransactValue[] = [];
  const keepRight: TransactValue[] = [];
  const toReady: TransactValue[] = [];
  const toDelayed: TransactValue[] = [];
  const toDead: TransactValue[] = [];
  const settled = fates.filter((fate) => fate.kind !== 'keep').length;
  const report = { seen: window.length, dropped: 0, redelivered: 0, nacked: 0, dead: 0, settled, nextExpiry };
  const batchOf = new Map<number, BatchView>();
  for (const batch of batches.values()) for (const index of batch.indexes) batchOf.set(index, batch);
  const keptOf = (batch: BatchView): number[] => batch.indexes.filter((index) => fates[index]!.kind === 'keep');
  fates.forEach((fate, index) => {
    const entry = window[index]!;
    if (fate.kind === 'keep') {
      const batch = batchOf.get(index)!;
      const kept = keptOf(batch);
      // A batch stays together: to the right end if any of its kept leases was extended.
      const right = kept.some((other) => (fates[other] as { extended: boolean }).extended);
      // Unchanged entries are kept by reference; those of a batch that lost some carry the new count.
      const value: TransactValue = kept.length === batch.indexes.length ? { keep: [0, index] } : { value: { ...entry, r: kept.length } satisfies LeaseItem };
      (right ? keepRight : keepLeft).push(value);
    } else if (fate.kind === 'drop') report.dropped++;
    else if (entry.d >= settings.maxDeliveries) {
      toDead.push({ value: { id: entry.i, value: entry.v, deliveries: entry.d } satisfies DeadLetter });
      report.dead++;
    } else if (fate.kind === 'nack' && fate.at > now) {
      toDelayed.push({ value: { i: entry.i, v: entry.v, d: entry.d, u: fate.at } satisfies TimedItem });
      report.nacked++;
    } else {
      toReady.push({ value: { i: entry.i, v: entry.v, d: entry.d } satisfies ReadyItem });
      report[fate.kind === 'nack' ? 'nacked' : 'redelivered']++;
    }
  });
  const steps: { deque: Deque<any>; take?: { side: 'left'; count: number } }[] = [{ deque: core.leases, take: { side: 'left', count: window.length } }];
  const pushes: TransactPush[] = [];
  const target = (deque: Deque<any>, side: 'left' | 'right', values: TransactValue[]): void => {
    if (values.length === 0) return;
    let step = steps.findIndex((candidate) => candidate.deque === deque);
    if (step < 0) step = steps.push({ deque }) - 1;
    // Onto the left end values go one at a time (extendLeft): reversed, so they keep their order.
    pushes.push({ step, side, values: side === 'left' ? [...values].reverse() : values });
  };
  target(core.leases, 'left', keepLeft);
  target(core.leases, 'right', keepRight);
  target(core.ready, 'left', toReady);
  target(core.delayed, 'right', toDelayed);
  target(core.dead, 'right', toDead);
  const outcome = await Deque.transact(steps, (taken) => (sameEntries(core, taken[0]!, window) ? { pushes, result: null } : undefined));
  if (outcome.status !== 'committed') return { ...NOTHING, seen: window.length, settled, nextExpiry: 0 }; // another sweeper changed the log: no promise
  // Batches whose last entries left the log: nobody needs their marker — unless a slot says 'x' (a late ack must see it).
  for (const batch of batches.values()) {
    if (batch.whole && batch.marker !== null && keptOf(batch).length === 0 && !parseSlots(core.name, batch.key, batch.marker.value).some((slot) => slot?.s === 'x')) {
      void core.store.deleteQuiet(batch.key).catch(() => {});
    }
  }
  return report;
}

/** Groups the window by claim batch; a batch is whole when the window holds as many of its entries as each says the log has. */
function viewBatches(core: QueueCore, window: readonly LeaseItem[]): Map<string, BatchView> {
  const batches = new Map<string, BatchView>();
  window.forEach((entry, index) => {
    let batch = batches.get(entry.b);
    if (batch === undefined) batches.set(entry.b, (batch = { key: core.keys.marker(entry.b), indexes: [], whole: false, marker: null }));
    else if (window[batch.indexes[0]!]!.r !== entry.r) throw new QueueCorruptedError(core.name, core.keys.leases, `the entries of claim batch ${entry.b} disagree on its size`);
    batch.indexes.push(index);
  });
  for (const [id, batch] of batches) {
    const count = window[batch.indexes[0]!]!.r;
    if (batch.indexes.length > count) throw new QueueCorruptedError(core.name, core.keys.leases, `the log holds more entries of claim batch ${id} than it says (${count})`);
    batch.whole = batch.indexes.length === count;
  }
  return batches;
}

/** The log still starts with the entries the sweep inspected (ids and deliveries are unique per entry). */
function sameEntries(core: QueueCore, taken: readonly unknown[], window: readonly LeaseItem[]): boolean {
  if (taken.length !== window.length) return false;
  return taken.every((value, index) => {
    const entry = parseLease(core.name, core.keys.leases, value);
    return entry.i === window[index]!.i && entry.d === window[index]!.d && entry.r === window[index]!.r;
  });
}

/** What becomes of each entry of one batch; takes over its expired leases (slot 'x') on the way, in one write of the marker. */
async function decideBatch(core: QueueCore, settings: QueueSettings, window: readonly LeaseItem[], batch: BatchView, fates: Fate[]): Promise<void> {
  const slots = batch.marker === null ? [] : parseSlots(core.name, batch.key, batch.marker.value);
  const expired = (until: number): boolean => Date.now() > until + settings.maxClockSkewMs;
  const takeovers = new Map<number, SlotStep<Fate>>();
  const indexOfSlot = new Map<number, number>();
  for (const index of batch.indexes) {
    const entry = window[index]!;
    const slot = slots[entry.k] ?? null;
    if (indexOfSlot.has(entry.k)) throw new QueueCorruptedError(core.name, core.keys.leases, `two entries of claim batch ${entry.b} share slot ${entry.k}`);
    indexOfSlot.set(entry.k, index);
    const fate = settledFate(slot) ?? liveFate(entry, slot, settings.maxClockSkewMs);
    if (fate.kind !== 'keep' || !expired(fate.until - settings.maxClockSkewMs)) fates[index] = fate;
    else
      takeovers.set(entry.k, (current) => {
        const settledNow = settledFate(current);
        if (settledNow !== null) return { done: settledNow };
        const live = liveFate(entry, current, settings.maxClockSkewMs) as Fate & { until: number };
        return expired(live.until - settings.maxClockSkewMs) ? { write: { s: 'x' } } : { done: live };
      });
  }
  if (takeovers.size === 0) return;
  const settled = await settleSlots(core.store, core.name, batch.key, takeovers, batch.marker);
  batch.marker = settled.entry ?? null;
  for (const [slot, fate] of settled.results) fates[indexOfSlot.get(slot)!] = fate;
}

/** A lease not settled: kept until its end (or its extension's), plus the clock tolerance. */
function liveFate(entry: LeaseItem, slot: Marker | null, skewMs: number): Fate {
  const until = slot?.s === 'e' ? Math.max(slot.u, entry.u) : entry.u;
  return { kind: 'keep', extended: slot?.s === 'e', until: until + skewMs };
}

function settledFate(marker: Marker | null): Fate | null {
  if (!isFinal(marker)) return null;
  if (marker!.s === 'a') return { kind: 'drop' };
  if (marker!.s === 'x') return { kind: 'redeliver' };
  return { kind: 'nack', at: (marker as { u: number }).u };
}
