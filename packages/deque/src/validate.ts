/**
 * Argument checks of the public Deque methods, run first thing so that bad
 * input (typically from JavaScript, where the types are not checked) gets
 * an InvalidArgumentError before anything is read or written — never a
 * hang (a NaN timeout), a plain TypeError, or an option silently ignored.
 */
import { InvalidArgumentError, type Store } from '@mcc/mcas';
import type { Side } from './plan';

/** Largest `inlineMaxBytes`: beyond 64 KiB a value is better off in its own item anyway. */
export const MAX_INLINE_MAX_BYTES = 64 * 1024;
/** Largest `flushBytes`: two buffers of it, and a push, must fit one anchor item (1 MiB by default). */
export const MAX_FLUSH_BYTES = 256 * 1024;

export interface DequeSettings {
  readonly colocate: boolean;
  readonly inlineMaxBytes: number;
  readonly flushBytes: number;
  readonly combine: boolean;
}

const DEFAULTS: DequeSettings = { colocate: false, inlineMaxBytes: 1024, flushBytes: 4096, combine: false };

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'bigint') return `${value}n`;
  return value === null ? 'null' : typeof value === 'object' || typeof value === 'function' ? typeof value : String(value);
}

function integerIn(name: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new InvalidArgumentError(`deque option ${name} must be a whole number of bytes from ${min} to ${max}, got ${describe(value)}`);
  }
  return value;
}

/** @throws InvalidArgumentError unless `store` looks like a Store (from `connect`): checked by shape, so a second copy of the package still counts */
export function checkStore(store: unknown): asserts store is Store {
  const candidate = store as { client?: { serverFor?: unknown }; codec?: { encode?: unknown } } | null;
  if (typeof store !== 'object' || candidate === null || typeof candidate.client?.serverFor !== 'function' || typeof candidate.codec?.encode !== 'function') {
    throw new InvalidArgumentError(`a deque needs a Store (from connect()), got ${describe(store)}`);
  }
}

/** The deque options with defaults filled in. @throws InvalidArgumentError */
export function resolveDequeOptions(options: unknown): DequeSettings {
  if (options === undefined) return DEFAULTS;
  if (typeof options !== 'object' || options === null) throw new InvalidArgumentError(`deque options must be an object, got ${describe(options)}`);
  const { colocate = DEFAULTS.colocate, inlineMaxBytes = DEFAULTS.inlineMaxBytes, flushBytes = DEFAULTS.flushBytes, combine = DEFAULTS.combine } = options as Record<string, unknown>;
  if (typeof colocate !== 'boolean') throw new InvalidArgumentError(`deque option colocate must be true or false, got ${describe(colocate)}`);
  if (typeof combine !== 'boolean') throw new InvalidArgumentError(`deque option combine must be true or false, got ${describe(combine)}`);
  return {
    colocate,
    combine,
    inlineMaxBytes: integerIn('inlineMaxBytes', inlineMaxBytes, 0, MAX_INLINE_MAX_BYTES),
    flushBytes: integerIn('flushBytes', flushBytes, 1, MAX_FLUSH_BYTES),
  };
}

/** The values of `extend`/`extendLeft` as an array. @throws InvalidArgumentError for a non-iterable */
export function valuesOf<T>(values: unknown, method: string): T[] {
  if (values === null || values === undefined || typeof (values as { [Symbol.iterator]?: unknown })[Symbol.iterator] !== 'function') {
    throw new InvalidArgumentError(`${method} expects an iterable of values (an array, a Set, a generator…), got ${describe(values)}`);
  }
  return [...(values as Iterable<T>)];
}

/** @throws InvalidArgumentError unless `signal` is undefined or an AbortSignal */
export function checkSignal(signal: unknown, method: string): void {
  if (signal === undefined) return;
  const candidate = signal as Partial<AbortSignal> | null;
  const isSignal =
    signal instanceof AbortSignal ||
    (typeof signal === 'object' && candidate !== null && typeof candidate.aborted === 'boolean' && typeof candidate.addEventListener === 'function' && typeof candidate.throwIfAborted === 'function');
  if (!isSignal) throw new InvalidArgumentError(`${method}: option signal must be an AbortSignal, got ${describe(signal)}`);
}

function checkOptionsObject(options: unknown, method: string): Record<string, unknown> {
  if (options === undefined) return {};
  if (typeof options !== 'object' || options === null) throw new InvalidArgumentError(`${method}: options must be an object, got ${describe(options)}`);
  return options as Record<string, unknown>;
}

/** Checks the options of popWait/popLeftWait. @throws InvalidArgumentError */
export function checkWaitOptions(options: unknown, method: string): void {
  const { timeoutMs, signal } = checkOptionsObject(options, method);
  if (timeoutMs !== undefined && (typeof timeoutMs !== 'number' || Number.isNaN(timeoutMs) || timeoutMs < 0)) {
    throw new InvalidArgumentError(`${method}: timeoutMs must be a number of milliseconds ≥ 0 (or omitted to wait forever), got ${describe(timeoutMs)}`);
  }
  checkSignal(signal, method);
}

/** Checks the options of consume. @throws InvalidArgumentError */
export function checkConsumeOptions(options: unknown): void {
  checkSignal(checkOptionsObject(options, 'consume').signal, 'consume');
}

function sideOf(name: string, value: unknown, fallback: Side): Side {
  if (value === undefined) return fallback;
  if (value !== 'left' && value !== 'right') throw new InvalidArgumentError(`moveTo: option ${name} must be 'left' or 'right', got ${describe(value)}`);
  return value;
}

/** The ends of a move, defaults filled in. @throws InvalidArgumentError */
export function resolveMoveOptions(options: unknown): { from: Side; to: Side } {
  const { from, to } = checkOptionsObject(options, 'moveTo');
  return { from: sideOf('from', from, 'right'), to: sideOf('to', to, 'left') };
}
