/**
 * Shared helpers of the integration and failure suites (not a test file).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Client } from '../src';

export { sleep };

let counter = 0;

/** A key no other test (or earlier run against a reused server) has used. */
export function uniqueKey(prefix: string): string {
  counter++;
  return `${prefix}:${process.pid}:${Date.now().toString(36)}:${counter}`;
}

/**
 * One key per server of `client`, in `client.servers` order: the first
 * `prefix:i` found on each server. With one server, one key.
 */
export function keysOnEachServer(client: Client, prefix: string): string[] {
  const found = new Map<string, string>();
  const base = uniqueKey(prefix);
  for (let i = 0; found.size < client.servers.length; i++) {
    if (i > 10_000) throw new Error('could not find a key for every server');
    const key = `${base}:${i}`;
    const server = client.serverFor(key);
    if (!found.has(server)) found.set(server, key);
  }
  return client.servers.map((server) => found.get(server)!);
}

/**
 * The error a promise rejects with; fails the test if it resolves.
 * (Unlike `expect().rejects`, this hands the error back for precise checks.)
 */
export async function rejectionOf(promise: Promise<unknown>): Promise<Error> {
  let value: unknown;
  try {
    value = await promise;
  } catch (error) {
    if (!(error instanceof Error)) throw new Error(`rejected with a non-Error: ${String(error)}`);
    return error;
  }
  throw new Error(`expected a rejection, but it resolved with ${describeValue(value)}`);
}

function describeValue(value: unknown): string {
  if (typeof value === 'bigint') return `${value}n`;
  if (value instanceof Map) return `Map(${value.size})`;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/** Polls `condition` until it holds; rejects after `timeoutMs` with `what` in the message. */
export async function waitFor(
  condition: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 5000,
  intervalMs = 10,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await condition()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(intervalMs);
  }
}

/** Settles every promise and measures, for each, how long after `start` it settled. */
export function timed<T>(promise: Promise<T>, start = performance.now()): Promise<{ result: PromiseSettledResult<T>; ms: number }> {
  return promise.then(
    (value) => ({ result: { status: 'fulfilled', value } as const, ms: performance.now() - start }),
    (reason: unknown) => ({ result: { status: 'rejected', reason } as const, ms: performance.now() - start }),
  );
}

/** The `code` of an error (for compact assertions over many rejections). */
export function codeOf(reason: unknown): string {
  return (reason as { code?: string }).code ?? `not an McError: ${String(reason)}`;
}
