/**
 * What the demo's orchestrator and its worker processes tell each other over
 * the IPC channel of `child_process.fork` (advanced serialization).
 *
 *   orchestrator                    worker
 *        │ ── init(assignment) ──▶   │  connect to every server
 *        │ ◀── ready ──────────────  │
 *        │ ── go ─────────────────▶  │  run the role's loops
 *        │ ◀── progress (4/s) ─────  │
 *        │ ── stop | drain ───────▶  │  producers, shuttle, bank: stop; consumers: pop until empty
 *        │ ◀── done(result) ───────  │  then close and exit
 *
 * A worker that hits an error it cannot continue from sends `failed`; one
 * whose orchestrator is gone (the IPC channel closes) exits at once.
 */
import type { ConnectionSettings } from '../connection-options';

/** What a worker process does. */
export type Role = 'producer' | 'consumer' | 'shuttle' | 'bank' | 'jobs';

/** The keys and deques of one demo run (unique per run, so runs on shared servers do not meet). */
export interface DemoNames {
  /** The deque producers append to and consumers pop from. */
  readonly queue: string;
  /** The two deques the shuttle moves items between. */
  readonly shuttleLeft: string;
  readonly shuttleRight: string;
  /** The bank's account keys. */
  readonly accounts: readonly string[];
  /** The work queue (`@mcc/queue`) the jobs worker pushes to, claims from and acks. */
  readonly workQueue: string;
}

export interface WorkerAssignment {
  readonly role: Role;
  /** Index among the workers of its role. */
  readonly index: number;
  readonly servers: readonly string[];
  /** How to reach them (plain data: PEM text, the SASL password from the parent's environment). */
  readonly connection: ConnectionSettings;
  readonly names: DemoNames;
  /** Concurrent loops in this process. */
  readonly concurrency: number;
  /** The queue never holds more items than this (producers pause), so the final drain stays short. */
  readonly backlogLimit: number;
  /** Producer loops in all processes together: how many appends can be in flight at once. */
  readonly producerLoops: number;
}

export type ParentMessage =
  | { readonly type: 'init'; readonly assignment: WorkerAssignment }
  | { readonly type: 'go' }
  /** Producers, shuttle and bank: finish the operation in hand, then report; jobs: stop pushing, drain the work queue, then report. */
  | { readonly type: 'stop' }
  /** Consumers: the producers have stopped; pop until the queue is empty, then report. */
  | { readonly type: 'drain' };

export interface WorkerCounters {
  /** Completed operations: appends, pops, moves, committed transfers. */
  ops: number;
  /** Role-specific: an MCAS that lost a race and was retried (bank), a pop or move that found its deque empty, a job nacked (jobs). */
  retries: number;
}

/** What a worker reports when it is done. */
export interface WorkerResult extends WorkerCounters {
  readonly role: Role;
  readonly index: number;
  /** Socket flushes (round trips, per server) of the worker's client. */
  readonly writes: number;
  readonly requests: number;
  /** From `go` until the last loop ended. */
  readonly elapsedMs: number;
  readonly errors: number;
  /** The first few errors, as `CODE: message`. */
  readonly firstErrors: readonly string[];
  /** Producers: appends completed by each loop; stream `index * concurrency + loop` appended `{p: stream, i}` for i < count. */
  readonly produced?: readonly number[];
  /** Producers: `[stream, i]` of appends whose outcome is unknown (they may or may not be in the queue). */
  readonly uncertain?: readonly (readonly [number, number])[];
  /** Consumers: the `i` values popped, per stream. */
  readonly received?: readonly (readonly [number, readonly number[]])[];
  /** Consumers: popped values that are not `{p, i}` items. */
  readonly malformed?: number;
  /** Consumers: times one consumer loop popped an item of a stream that was not after the previous one it popped of that stream. */
  readonly orderViolations?: number;
  readonly orderExamples?: readonly string[];
  /** Jobs: the ids of the jobs pushed (each acknowledged by the queue). */
  readonly jobsPushed?: readonly string[];
  /** Jobs: each ack, as [job id, delivery]. */
  readonly jobsAcked?: readonly (readonly [string, number])[];
  /** Jobs: each nack, as [job id, delivery]. */
  readonly jobsNacked?: readonly (readonly [string, number])[];
}

export type WorkerMessage =
  | { readonly type: 'ready' }
  | ({ readonly type: 'progress' } & WorkerCounters)
  | { readonly type: 'done'; readonly result: WorkerResult }
  | { readonly type: 'failed'; readonly error: { readonly code: string; readonly message: string } };
