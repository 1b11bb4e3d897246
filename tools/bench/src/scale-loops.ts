/**
 * The loops of the scale suite, as one worker process runs them: callers
 * alternating `append` + `popLeft` of 100 B values on one deque (or RPUSH +
 * LPOP on one Redis list), or MCAS increments of `per` random counters
 * through `mcasUpdate`. Every loop counts what it did over the whole round
 * (warm-up included) so the parent can check conservation after the cell:
 * pushed = popped + left, counters sum = applied × per.
 */
import { connect, Deque, type Store } from '@mcc/deque';
import { mcasUpdate } from '@mcc/mcas';
import Redis from 'ioredis';
import type { Measurement } from './compare';
import { payload } from './payloads';
import { runClosedLoop } from './runner';
import { processCounter, type PooledMeasurement } from './worker-pool';

/** Where a scale worker connects (sent once, as the pool's init). */
export interface PoolTargets {
  readonly memcached: string;
  readonly redisPort: number | null;
}

export const VALUE_BYTES = 100;

export type ScaleSpec =
  | { readonly subject: 'mcc' | 'redis'; readonly key: string; readonly callers: number; readonly warmupMs: number; readonly durationMs: number; readonly combine?: boolean }
  | { readonly subject: 'mcas'; readonly keys: readonly string[]; readonly per: number; readonly callers: number; readonly warmupMs: number; readonly durationMs: number };

export interface ScaleConnection {
  readonly store: Store;
  readonly redis: Redis | null;
  readonly value: Buffer;
}

export async function connectScale(targets: PoolTargets): Promise<ScaleConnection> {
  const store = connect([targets.memcached], { requestTimeoutMs: 30_000 });
  await store.client.version();
  let redis: Redis | null = null;
  if (targets.redisPort !== null) {
    redis = new Redis({ host: '127.0.0.1', port: targets.redisPort, maxRetriesPerRequest: 1 });
    await redis.ping();
  }
  return { store, redis, value: payload(VALUE_BYTES) };
}

export async function closeScale({ store, redis }: ScaleConnection): Promise<void> {
  await Promise.allSettled([store.close(), redis?.quit()]);
}

/** Counters summed over the workers; see the file comment. */
interface Counts {
  pushed: number;
  popped: number;
  casAttempts: number;
  casFailures: number;
  applied: number;
  attempts: number;
  /** Deque operations announced for cross-process combining, and announced operations applied by this process's CASes. */
  announced: number;
  combined: number;
}

function checkPopped(subject: string, popped: unknown): void {
  if (popped === undefined || popped === null) throw new Error(`${subject}: a pop found the list empty, though every pop follows its caller's own push`);
  if (!(popped instanceof Uint8Array) || popped.length !== VALUE_BYTES) throw new Error(`${subject}: popped something other than the ${VALUE_BYTES} B pushed`);
}

function pick(keys: readonly string[], count: number): string[] {
  const chosen = new Set<string>();
  while (chosen.size < count) chosen.add(keys[Math.floor(Math.random() * keys.length)]!);
  return [...chosen];
}

/** One round of one worker. */
export async function runScaleRound(connection: ScaleConnection, spec: ScaleSpec): Promise<PooledMeasurement> {
  const { store, redis, value } = connection;
  const counts: Counts = { pushed: 0, popped: 0, casAttempts: 0, casFailures: 0, applied: 0, attempts: 0, announced: 0, combined: 0 };
  let operation: () => Promise<void>;
  let perIteration = 2; // a push and a pop
  let deque: Deque<Buffer> | null = null;
  if (spec.subject === 'mcc') {
    const bound = (deque = Deque.bind<Buffer>(store, spec.key, { combine: spec.combine === true }));
    operation = async () => {
      await bound.append(value);
      counts.pushed++;
      const popped = await bound.popLeft();
      checkPopped('mcc', popped);
      counts.popped++;
    };
  } else if (spec.subject === 'redis') {
    if (redis === null) throw new Error('no Redis in this worker');
    const key = spec.key;
    operation = async () => {
      await redis.rpush(key, value);
      counts.pushed++;
      const popped = await redis.lpopBuffer(key);
      checkPopped('redis', popped);
      counts.popped++;
    };
  } else if (spec.subject === 'mcas') {
    perIteration = 1;
    const { keys, per } = spec;
    operation = async () => {
      await mcasUpdate<number>(store, pick(keys, per), (entries) => {
        counts.attempts++;
        return [...entries].map(([key, entry]) => [key, entry.value + 1] as const);
      });
      counts.applied++;
    };
  } else {
    throw new Error('unknown subject');
  }
  const statsBefore = deque?.stats;
  const window = { writes: 0, requests: 0 };
  const measured = await runClosedLoop(operation, {
    concurrency: spec.callers,
    warmupMs: spec.warmupMs,
    durationMs: spec.durationMs,
    onWindowStart: () => {
      window.writes = store.client.metrics.writes;
      window.requests = store.client.metrics.requests;
    },
    onWindowEnd: () => {
      window.writes = store.client.metrics.writes - window.writes;
      window.requests = store.client.metrics.requests - window.requests;
    },
  });
  if (deque !== null && statsBefore !== undefined) {
    counts.casAttempts = deque.stats.casAttempts - statsBefore.casAttempts;
    counts.casFailures = deque.stats.casFailures - statsBefore.casFailures;
    counts.announced = deque.stats.announced - statsBefore.announced;
    counts.combined = deque.stats.combined - statsBefore.combined;
  }
  const onMemcached = spec.subject !== 'redis';
  const result: Measurement = {
    ...measured,
    operations: perIteration * measured.operations,
    requests: onMemcached ? window.requests : null,
    writes: onMemcached ? window.writes : null,
  };
  return { ...result, counters: { ...counts, ...processCounter(result.operations) } };
}
