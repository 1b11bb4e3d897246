/**
 * Finding expired leases without a background process, and without
 * scanning everything on every claim: the lease-log sweep.
 *
 * Every claim appends its lease `{i, v, d, u}` to the right of the lease log
 * (a deque), in the same MCAS that takes the job from `ready` — so the log
 * is in claim order, which with one lease length is expiry order: the
 * leases that expire first are at the left end. A sweep therefore reads only
 * the leftmost WINDOW (256) entries (`range`, one anchor read plus the chunks it
 * covers) and their delivery markers (one getMulti), and decides for each:
 *
 *   marker 'a' (acked)            drop it (and delete the marker afterwards)
 *   marker 'x' (taken over)       redeliver it: ready's left end with d, or dead letters if d ≥ maxDeliveries
 *   marker 'n' (nacked, at u)     the same, or into `delayed` if u is still ahead
 *   none / 'e' (extended to u')   live while now ≤ max(u, u') + maxClockSkewMs: keep it;
 *                                 expired: write marker 'x' (add/CAS — this races the
 *                                 holder's ack; exactly one wins) and redeliver it
 *
 * and commits all of it with ONE `Deque.transact`: take the window's entries
 * from the log, push the kept ones back (extended ones to the right end, so
 * a few long jobs never pin the window), the redelivered ones onto `ready`'s
 * left end (they are older than anything there, so push order holds), the
 * rest onto `delayed` / `dead`. The transaction is conditional: `decide`
 * aborts unless the log still starts with exactly the entries inspected, so
 * two sweepers never both act on one entry; the loser just stops.
 *
 * Crash safety: a sweeper that dies after writing 'x' but before its
 * transaction leaves the entry in the log with marker 'x' — the next sweep
 * redelivers it (helping). A consumer that dies holding a lease leaves an
 * entry that expires and is redelivered with d + 1 on its next claim.
 */
import { Deque, type Entry, type TransactPush, type TransactValue } from '@mcc/deque';
import type { QueueCore, QueueSettings } from './core';
import { MARKER_TTL_SECONDS } from './core';
import { settleMarker } from './markers';
import { parseItem, parseMarker, type DeadLetter, type Marker, type ReadyItem, type TimedItem } from './records';

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

const NOTHING: SweepReport = { seen: 0, dropped: 0, redelivered: 0, nacked: 0, dead: 0, settled: 0, nextExpiry: Infinity };

export async function sweepLeases(core: QueueCore, settings: QueueSettings): Promise<SweepReport> {
  const window = (await core.leases.range(0, WINDOW - 1)).map((value) => parseItem(core.name, core.keys.leases, value, true));
  if (window.length === 0) return NOTHING;
  const markerKeys = window.map((entry) => core.keys.marker(entry.i, entry.d));
  const markers = await core.store.getMulti(markerKeys);
  const fates = await Promise.all(window.map((entry, index) => fateOf(core, settings, entry, markerKeys[index]!, markers.get(markerKeys[index]!) ?? null)));
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
  fates.forEach((fate, index) => {
    const entry = window[index]!;
    if (fate.kind === 'keep') (fate.extended ? keepRight : keepLeft).push({ keep: [0, index] });
    else if (fate.kind === 'drop') report.dropped++;
    else {
      const destination = destinationOf(fate, entry.d, settings.maxDeliveries, now);
      if (destination.to === 'dead') {
        toDead.push({ value: { id: entry.i, value: entry.v, deliveries: entry.d } satisfies DeadLetter });
        report.dead++;
      } else if (destination.to === 'delayed') {
        toDelayed.push({ value: { i: entry.i, v: entry.v, d: entry.d, u: destination.at } satisfies TimedItem });
        report.nacked++;
      } else {
        toReady.push({ value: { i: entry.i, v: entry.v, d: entry.d } satisfies ReadyItem });
        report[fate.kind === 'nack' ? 'nacked' : 'redelivered']++;
      }
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
  fates.forEach((fate, index) => {
    if (fate.kind === 'drop') void core.store.deleteQuiet(markerKeys[index]!).catch(() => {});
  });
  return report;
}

/** The log still starts with the entries the sweep inspected (ids and deliveries are unique per entry). */
function sameEntries(core: QueueCore, taken: readonly unknown[], window: readonly TimedItem[]): boolean {
  if (taken.length !== window.length) return false;
  return taken.every((value, index) => {
    const entry = parseItem(core.name, core.keys.leases, value, true);
    return entry.i === window[index]!.i && entry.d === window[index]!.d;
  });
}

/** What becomes of one log entry; takes over an expired lease (marker 'x') on the way. */
async function fateOf(core: QueueCore, settings: QueueSettings, entry: TimedItem, key: string, found: Entry<unknown> | null): Promise<Fate> {
  const marker = found === null ? null : parseMarker(core.name, key, found.value);
  const settled = settledFate(marker);
  if (settled !== null) return settled;
  const expired = (until: number): boolean => Date.now() > until + settings.maxClockSkewMs;
  const until = marker?.s === 'e' ? Math.max(marker.u, entry.u) : entry.u;
  if (!expired(until)) return { kind: 'keep', extended: marker?.s === 'e', until: until + settings.maxClockSkewMs };
  return settleMarker<Fate>(
    core.store,
    core.name,
    key,
    MARKER_TTL_SECONDS,
    (current) => {
      const fate = settledFate(current);
      if (fate !== null) return { done: fate };
      const end = current?.s === 'e' ? Math.max(current.u, entry.u) : entry.u;
      return expired(end) ? { write: { s: 'x' } } : { done: { kind: 'keep', extended: current?.s === 'e', until: end + settings.maxClockSkewMs } };
    },
    found,
  );
}

/** A delivery settled without an ack: taken over, or nacked (back at `at`). */
type Unfinished = Extract<Fate, { readonly kind: 'redeliver' | 'nack' }>;

/** Where the job of an unfinished delivery goes next: the one rule for sweeps and for `stats`. */
type Destination = { readonly to: 'ready' | 'dead' } | { readonly to: 'delayed'; readonly at: number };

function destinationOf(fate: Unfinished, delivery: number, maxDeliveries: number, now: number): Destination {
  if (delivery >= maxDeliveries) return { to: 'dead' };
  return fate.kind === 'nack' && fate.at > now ? { to: 'delayed', at: fate.at } : { to: 'ready' };
}

/**
 * What a lease-log entry stands for right now, without changing anything
 * (`stats`): a live delivery ('in flight': no marker, or extended — expired
 * or not, until someone takes it over), nothing ('done': acked), or a job
 * that a sweep will move on — counted where it is going, as the sweep
 * would send it (taken over or nacked: ready, delayed or dead).
 */
export function leaseStanding(marker: Marker | null, delivery: number, maxDeliveries: number, now: number): 'inFlight' | 'done' | Destination['to'] {
  const fate = settledFate(marker);
  if (fate === null) return 'inFlight';
  if (fate.kind === 'drop') return 'done';
  return destinationOf(fate, delivery, maxDeliveries, now).to;
}

function settledFate(marker: Marker | null): Exclude<Fate, { readonly kind: 'keep' }> | null {
  if (marker === null || marker.s === 'e') return null;
  if (marker.s === 'a') return { kind: 'drop' };
  if (marker.s === 'x') return { kind: 'redeliver' };
  return { kind: 'nack', at: marker.u };
}
