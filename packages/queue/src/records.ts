/**
 * The records of a queue named NAME (msgpack, short field names):
 *
 *   mcc:q:NAME                  {v: 1, l: leaseMs, m: maxDeliveries}      written once by create
 *   deque NAME/ready            {i: id, v: value, d: deliveries so far}   oldest leftmost
 *   deque NAME/taken            {i, v, d: this delivery (≥ 1), u: lease until, ms}   the lease log, in claim order
 *   deque NAME/delayed          {i, v, d, u: due at, ms}                   not claimable before u
 *   deque NAME/dead             {id, value, deliveries}                    the dead letters (user-facing names)
 *   mcc:q:NAME:m:ID:D           marker of delivery D of job ID (below)
 *
 * A marker settles one delivery; it is written with `add` (or CAS from an
 * extension), so exactly one settlement wins:
 *
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

export interface DeadLetter<T = unknown> {
  readonly id: string;
  readonly value: T;
  /** How many times the job was claimed before it was given up. */
  readonly deliveries: number;
}

export type Marker = { readonly s: 'e'; readonly u: number } | { readonly s: 'a' } | { readonly s: 'n'; readonly u: number } | { readonly s: 'x' };

export interface QueueMeta {
  readonly v: 1;
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
  marker(id: string, delivery: number): string;
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
    marker: (id, delivery) => `mcc:q:${name}:m:${id}:${delivery}`,
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

/**
 * A dead letter as the sweeps write it. The dead letters are a public deque
 * (`q.deadLetters`), so what a redrive takes from it may be anything.
 */
export function isDeadLetter(value: unknown): value is DeadLetter {
  return isRecord(value) && typeof value.id === 'string' && 'value' in value && Number.isSafeInteger(value.deliveries) && (value.deliveries as number) >= 1;
}

export function parseMarker(queue: string, key: string, value: unknown): Marker {
  if (isRecord(value)) {
    if ((value.s === 'a' || value.s === 'x') && Object.keys(value).length === 1) return value as Marker;
    if ((value.s === 'e' || value.s === 'n') && Number.isFinite(value.u)) return value as Marker;
  }
  throw new QueueCorruptedError(queue, key, 'a delivery marker is not one of {s: e|a|n|x}');
}

export function parseMeta(queue: string, key: string, value: unknown): QueueMeta {
  if (isRecord(value) && value.v === 1 && Number.isSafeInteger(value.l) && Number.isSafeInteger(value.m)) return value as unknown as QueueMeta;
  throw new QueueCorruptedError(queue, key, 'the queue record is not {v: 1, l, m}');
}
