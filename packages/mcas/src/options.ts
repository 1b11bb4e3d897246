/**
 * Options of `mcas`, including the testing hooks that let a test stop an
 * originator at each step (a crash at a chosen point).
 */
import { InvalidArgumentError, type Entry, type Store } from '@mcc/codec';

/**
 * @throws InvalidArgumentError unless `store` looks like a Store (from
 *   `connect`): checked by shape, so a second copy of the package still counts
 */
export function checkStore(store: unknown, method: string): asserts store is Store {
  const candidate = store as { client?: { serverFor?: unknown }; codec?: { encode?: unknown } } | null;
  if (typeof store !== 'object' || candidate === null || typeof candidate.client?.serverFor !== 'function' || typeof candidate.codec?.encode !== 'function') {
    throw new InvalidArgumentError(`${method} needs a Store (from connect()), got ${store === null ? 'null' : typeof store}`);
  }
}

/** Default lifetime of a descriptor (and of its split-out values): one day. */
export const DEFAULT_DESCRIPTOR_TTL_SECONDS = 86_400;
/**
 * The longest TTL memcached reads as seconds from now: 30 days (2,592,000 s).
 * One second more is read as a Unix time — in 1970, so the item is gone at
 * once (checked against 1.6.18).
 */
export const MAX_RELATIVE_TTL_SECONDS = 30 * 86_400;

/**
 * A point in an originator's run, passed to {@link McasHooks.afterStep}:
 * - `'descriptor-created'`: the descriptor (and split-out values) exist; no location touched;
 * - `{ acquired: i }`: location i (in key order) now holds the reference;
 * - `'decided'`: the status is written (or was found written by a helper);
 * - `{ released: i }`: location i holds its final value again.
 */
export type McasStep = 'descriptor-created' | { readonly acquired: number } | 'decided' | { readonly released: number };

/**
 * Testing hooks. Throwing from `afterStep` stops the originator right there,
 * as a crash would: nothing is cleaned up and the error is what `mcas`
 * rejects with, so a test can check that other clients complete or roll
 * back the MCAS. Not for production use.
 */
export interface McasHooks {
  afterStep?(step: McasStep): void | Promise<void>;
}

export interface McasOptions {
  /**
   * Lifetime of the descriptor and its split-out values, in seconds. Default
   * 86400 (one day). The originator deletes them as soon as it finishes; the
   * TTL only collects those of originators that died, after helpers completed
   * them. Keep it longer than any location could go unread while its MCAS is
   * unfinished: a reference whose descriptor expired is corruption.
   */
  descriptorTtlSeconds?: number;
  /** Testing hooks; see {@link McasHooks}. */
  hooks?: McasHooks;
  /**
   * Called, when the MCAS succeeds, with the entry (new value and CAS id) of
   * each location this call wrote its new value to itself — every location,
   * unless a helper released one first (then that one is not reported). Lets
   * a caller keep what it wrote as its next `expected` entry without reading
   * it back (a stale one only makes a later MCAS or CAS fail). Called before
   * `mcas` resolves; must not throw.
   */
  onWritten?: (entry: Entry<unknown>) => void;
  /**
   * The caller reads the locations again through `mcasGet` right after a
   * `false` (a retry loop, as `Deque.transact` runs). A refused CAS on the
   * first location then fails the MCAS at once, without the second look at
   * that location that would help another MCAS found there to finish — the
   * caller's read does that. One round trip less on the commonest failure
   * under contention. Default false.
   */
  retrying?: boolean;
}

export interface ResolvedMcasOptions {
  readonly descriptorTtlSeconds: number;
  readonly hooks: McasHooks;
  readonly onWritten: ((entry: Entry<unknown>) => void) | undefined;
  readonly retrying: boolean;
}

/** @throws InvalidArgumentError for a TTL that is not a whole number of seconds from 1 to 30 days, or hooks that are not functions */
export function resolveMcasOptions(options: McasOptions = {}): ResolvedMcasOptions {
  if (typeof options !== 'object' || options === null) throw new InvalidArgumentError(`mcas options must be an object, got ${options === null ? 'null' : typeof options}`);
  const ttl = options.descriptorTtlSeconds ?? DEFAULT_DESCRIPTOR_TTL_SECONDS;
  if (!Number.isInteger(ttl) || ttl < 1 || ttl > MAX_RELATIVE_TTL_SECONDS) {
    throw new InvalidArgumentError(`descriptorTtlSeconds must be a whole number of seconds from 1 to ${MAX_RELATIVE_TTL_SECONDS}, got ${String(ttl)}`);
  }
  const hooks = options.hooks ?? {};
  if (typeof hooks !== 'object' || hooks === null || (hooks.afterStep !== undefined && typeof hooks.afterStep !== 'function')) {
    throw new InvalidArgumentError('mcas option hooks must be an object whose afterStep, if given, is a function');
  }
  const onWritten = options.onWritten;
  if (onWritten !== undefined && typeof onWritten !== 'function') throw new InvalidArgumentError(`mcas option onWritten must be a function, got ${onWritten === null ? 'null' : typeof onWritten}`);
  const retrying = options.retrying ?? false;
  if (typeof retrying !== 'boolean') throw new InvalidArgumentError(`mcas option retrying must be a boolean, got ${typeof retrying}`);
  return { descriptorTtlSeconds: ttl, hooks, onWritten, retrying };
}

/**
 * Checks the arguments of `mcasUpdate` that its retry loop would otherwise
 * trip over late (or never): `compute` must be a function, `signal` an AbortSignal.
 *
 * @throws InvalidArgumentError
 */
export function checkUpdateArguments(keys: unknown, compute: unknown, options: unknown): void {
  if (!Array.isArray(keys) || !keys.every((key) => typeof key === 'string')) throw new InvalidArgumentError('mcasUpdate expects an array of keys (strings)');
  if (typeof compute !== 'function') throw new InvalidArgumentError(`mcasUpdate expects compute to be a function, got ${compute === null ? 'null' : typeof compute}`);
  if (typeof options !== 'object' || options === null) throw new InvalidArgumentError(`mcasUpdate options must be an object, got ${options === null ? 'null' : typeof options}`);
  const { maxAttempts, minBackoffMs, maxBackoffMs, signal } = options as Record<string, unknown>;
  for (const [name, value] of [['maxAttempts', maxAttempts], ['minBackoffMs', minBackoffMs], ['maxBackoffMs', maxBackoffMs]] as const) {
    if (value !== undefined && (typeof value !== 'number' || Number.isNaN(value))) throw new InvalidArgumentError(`mcasUpdate option ${name} must be a number, got ${typeof value}`);
  }
  if (signal === undefined) return;
  const candidate = signal as Partial<AbortSignal> | null;
  const isSignal =
    signal instanceof AbortSignal ||
    (typeof signal === 'object' && candidate !== null && typeof candidate.aborted === 'boolean' && typeof candidate.addEventListener === 'function' && typeof candidate.throwIfAborted === 'function');
  if (!isSignal) throw new InvalidArgumentError(`mcasUpdate: option signal must be an AbortSignal, got ${typeof signal === 'string' ? JSON.stringify(signal) : typeof signal}`);
}
