/**
 * The records of a queue named NAME (msgpack, short field names):
 *
 *   mcc:q:NAME                  {v: 2, l: leaseMs, m: maxDeliveries}      written once by create
 *   deque NAME/ready            {i: id, v: value, d: deliveries so far}   oldest leftmost
 *   deque NAME/taken            the lease log, in claim order: {i, v, d: this delivery (≥ 1), u: lease until (ms),
 *                               b: claim batch id, k: slot in the batch, r: entries of batch b in the log}
 *   deque NAME/delayed          {i, v, d, u: due at, ms}                   not claimable before u
 *   deque NAME/dead             {id, value, deliveries}                    the dead letters (user-facing names)
 *   mcc:q:NAME:b:B              marker of claim batch B: an array, slot k = the state of the delivery in slot k
 *
 * One marker per claim BATCH, not per delivery (format 2): the deliveries
 * of one claim transaction share an item, so settling them, sweeping them
 * and deleting the marker cost one request per batch, not one per job. A
 * slot settles one delivery; the item is written with `add` (no marker
 * yet) or a CAS, so exactly one settlement of each slot wins:
 *
 *   null          nothing recorded: leased until the entry's u
 *   {s: 'e', u}   extended: leased until u (ms) — may be extended again
 *   {s: 'a'}      acknowledged: done for good
 *   {s: 'n', u}   nacked: back to the queue at u (ms; now for no delay)
 *   {s: 'x'}      expired and taken over: a sweeper redelivers (or dead-letters) the job
 */
import { InvalidArgumentError } from '@mcc/deque';
import { QueueCorruptedError } from './errors';

export interface ReadyItem {
  readonly i: string;
  readonly v: unknown;
  readonly d: number;
}

/** A lease (in the lease log) or a delayed job (in the delayed deque): `u` is the lease end or the due time. */
export interface TimedItem extends ReadyItem {
  readonly u: number;
}

/** An entry of the lease log: the lease, and where its delivery's state lives (slot `k` of batch `b`'s marker). */
export interface LeaseItem extends TimedItem {
  readonly b: string;
  readonly k: number;
  /** How many entries of batch `b` the log holds (the claim's batch size, less what sweeps removed): a sweep acts on a batch only when it sees all of them. */
  readonly r: number;
}

/** Most deliveries one claim transaction hands out: the slots of one batch marker. */
export const MAX_BATCH = 64;

export interface DeadLetter<T = unknown> {
  readonly id: string;
  readonly value: T;
  /** How many times the job was claimed before it was given up. */
  readonly deliveries: number;
}

/** The state of one delivery (a slot of a batch marker). */
export type Marker = { readonly s: 'e'; readonly u: number } | { readonly s: 'a' } | { readonly s: 'n'; readonly u: number } | { readonly s: 'x' };

/** The queue record's format version: 2 since markers are per claim batch (1: per delivery). */
export const QUEUE_FORMAT = 2;

export interface QueueMeta {
  readonly v: typeof QUEUE_FORMAT;
  readonly l: number;
  readonly m: number;
}

/** Queue names: as deque names, shorter (the sub-deques and markers add to the key). */
const NAME_PATTERN = /^[A-Za-z0-9._\-/]{1,160}$/;

export function validateQueueName(name: unknown): string {
  if (typeof name !== 'string' || !NAME_PATTERN.test(name)) {
    throw new InvalidArgumentError(`a queue name must be 1-160 characters of A-Z a-z 0-9 . _ - /, got ${JSON.stringify(name)}`);
  }
  return name;
}

export interface QueueKeys {
  readonly meta: string;
  readonly ready: string;
  readonly leases: string;
  readonly delayed: string;
  readonly dead: string;
  /** The marker of claim batch `batch`. */
  marker(batch: string): string;
}

export function queueKeys(name: string): QueueKeys {
  return {
    meta: `mcc:q:${name}`,
    ready: `${name}/ready`,
    // "taken" sorts after "ready": a claim's MCAS acquires in key order, and ready's anchor is
    // the hotter one (every push CASes it), so a conflict there fails the MCAS at its first
    // location, before anything is held — the cheap failure.
    leases: `${name}/taken`,
    delayed: `${name}/delayed`,
    dead: `${name}/dead`,
    marker: (batch) => `mcc:q:${name}:b:${batch}`,
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Checks an item read from one of the queue's deques. @throws QueueCorruptedError */
export function parseItem(queue: string, where: string, value: unknown, timed: true): TimedItem;
export function parseItem(queue: string, where: string, value: unknown, timed: false): ReadyItem;
export function parseItem(queue: string, where: string, value: unknown, timed: boolean): ReadyItem {
  if (!isRecord(value) || typeof value.i !== 'string' || !Number.isSafeInteger(value.d) || (value.d as number) < 0 || !('v' in value)) {
    throw new QueueCorruptedError(queue, where, 'an item is not {i, v, d}');
  }
  if (timed && !Number.isFinite(value.u)) throw new QueueCorruptedError(queue, where, 'a timed item has no time u');
  return value as unknown as ReadyItem;
}

/** Checks an entry of the lease log. @throws QueueCorruptedError */
export function parseLease(queue: string, where: string, value: unknown): LeaseItem {
  const item = parseItem(queue, where, value, true) as unknown as Record<string, unknown>;
  if (typeof item.b !== 'string' || item.b.length === 0 || !isSlot(item.k) || !Number.isSafeInteger(item.r) || (item.r as number) < 1 || (item.r as number) > MAX_BATCH) {
    throw new QueueCorruptedError(queue, where, 'a lease is not {i, v, d, u, b, k, r} (b a batch id, k < 64, 1 ≤ r ≤ 64)');
  }
  return item as unknown as LeaseItem;
}

function isSlot(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 0 && (value as number) < MAX_BATCH;
}

/** Checks a batch marker: an array of at most MAX_BATCH slots, each null or a delivery state. @throws QueueCorruptedError */
export function parseSlots(queue: string, key: string, value: unknown): readonly (Marker | null)[] {
  if (!Array.isArray(value) || value.length > MAX_BATCH) throw new QueueCorruptedError(queue, key, `a batch marker is not an array of at most ${MAX_BATCH} slots`);
  return value.map((slot: unknown) => (slot === null ? null : parseMarker(queue, key, slot)));
}

function parseMarker(queue: string, key: string, value: unknown): Marker {
  if (isRecord(value)) {
    if ((value.s === 'a' || value.s === 'x') && Object.keys(value).length === 1) return value as Marker;
    if ((value.s === 'e' || value.s === 'n') && Number.isFinite(value.u)) return value as Marker;
  }
  throw new QueueCorruptedError(queue, key, 'a slot of a batch marker is not null or one of {s: e|a|n|x}');
}

/** A slot that settles its delivery for good: acked, nacked or taken over. */
export function isFinal(slot: Marker | null | undefined): boolean {
  return slot !== null && slot !== undefined && slot.s !== 'e';
}

export function parseMeta(queue: string, key: string, value: unknown): QueueMeta {
  if (isRecord(value) && value.v === QUEUE_FORMAT && Number.isSafeInteger(value.l) && Number.isSafeInteger(value.m)) return value as unknown as QueueMeta;
  if (isRecord(value) && value.v === 1) throw new QueueCorruptedError(queue, key, 'the queue record is format 1 (per-delivery markers, an earlier @mcc/queue): this version reads format 2 only — drain it with the earlier version');
  throw new QueueCorruptedError(queue, key, `the queue record is not {v: ${QUEUE_FORMAT}, l, m}`);
}
