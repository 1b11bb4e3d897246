/**
 * `pnpm load linearizability`: histories recorded under faults, checked
 * with the project's own linearizability checker, for `--seconds`.
 *
 * Each history: every server behind a fault proxy that hits replies at
 * random (seeded: cut before the reply, torn in the middle, stalled past
 * the clients' request timeout); `--processes` child processes × `--clients`
 * clients issue `--ops` random operations each — on two deques (both ends,
 * extend, peeks, moveTo between them, a small `--flush-bytes` so chunks are
 * flushed and unflushed); in every fourth history read-then-MCAS rounds on
 * a few registers, and in every fourth one a work queue (push, pushMany,
 * claim, ack, nack, extend; a 10-minute lease, maxDeliveries 3). Then the
 * faults stop and the parent drains the deques, reads every register, or
 * — its clock moved past every lease — drains the queue: those operations
 * are part of the history, checked against dequeModel, registerModel or
 * queueModel (see packages/queue/test/linearizability.test.ts).
 * The history must be linearizable, every operation whose outcome is
 * unknown taken as "may or may not have happened".
 *
 * A violation (or an operation that failed with an unexpected error) is a
 * failure: the history is saved as Porcupine JSON (`--save-dir`, default the
 * current directory) and the run exits 1. A check that hits its bound is
 * searched once more with a larger bound; one that hits that too is
 * counted as unknown and saved, but is not a failure.
 */
import { Deque, connect } from '@mcc/deque';
import { FaultProxy } from '@mcc/harness';
import {
  HistoryRecorder,
  checkLinearizability,
  dequeModel,
  drainDeques,
  drainQueue,
  finalRead,
  queueModel,
  registerModel,
  savePorcupineHistory,
  type HistoryOperation,
  type Model,
} from '@mcc/linearizability';
import { mcasGetMulti, type Entry } from '@mcc/mcas';
import { WorkQueue } from '@mcc/queue';
import * as path from 'node:path';
import type { LoadArgs } from './cli-args';
import type { LinearizabilityWorkerConfig, LinearizabilityWorkerReport } from './linearizability-worker';
import type { LoadReport } from './report';
import { runWorkers } from './workers';

const WORKER_SCRIPT = path.join(__dirname, 'linearizability-worker.js');
const REQUEST_TIMEOUT_MS = 150;
const STALL_MS = 300;
const REGISTERS = 4;
/** queue: far longer than a history, so no lease expires before the drain's clock jump. */
const LEASE_MS = 600_000;
const MAX_DELIVERIES = 3;
/** Check bounds per history. */
const MAX_STEPS = 5_000_000;
const CHECK_TIMEOUT_MS = 30_000;
/** A search that gives up is run once more with these bounds (one combining history needed 17.9 M steps, 33 s); the memo stays within Node's default heap. */
const RETRY_MAX_STEPS = 30_000_000;
const RETRY_TIMEOUT_MS = 90_000;

type Kind = LinearizabilityWorkerConfig['kind'];

interface Recorded {
  readonly model: Model<unknown, unknown, unknown>;
  readonly operations: HistoryOperation[];
  readonly open: number;
  readonly unexpected: string[];
  readonly faults: { cut: number; tear: number; stall: number };
  /** deque with --combine: announced operations applied by combining CASes. */
  readonly combined: number;
}

async function recordHistory(kind: Kind, seed: number, args: LoadArgs, servers: readonly string[]): Promise<Recorded> {
  const proxies = await Promise.all(servers.map((server) => FaultProxy.start(server)));
  const addresses = proxies.map((proxy) => proxy.address);
  const store = connect(addresses, { requestTimeoutMs: 2000 });
  const id = `${seed}-${Date.now().toString(36)}`;
  try {
    const names =
      kind === 'deque' ? ['a', 'b'].map((side) => `load-lin-${id}-${side}`) : kind === 'queue' ? [`load-lin-${id}-q`] : Array.from({ length: REGISTERS }, (_, index) => `load:lin:${id}:${index}`);
    const initial: Record<string, string> = {};
    if (kind === 'deque') for (const name of names) await Deque.create(store, name);
    else if (kind === 'queue') await WorkQueue.create(store, names[0]!, { leaseMs: LEASE_MS, maxDeliveries: MAX_DELIVERIES });
    else for (const key of names) await store.set(key, (initial[key] = `init-${key}`));
    proxies.forEach((proxy, index) => proxy.setRandomReplyFaults({ seed: seed * 10 + index, probability: args.faultRate, stallMs: STALL_MS }));
    const config: Omit<LinearizabilityWorkerConfig, 'index'> = {
      kind,
      servers: addresses,
      names,
      flushBytes: args.flushBytes,
      clients: args.clients,
      operations: args.ops,
      seed,
      requestTimeoutMs: REQUEST_TIMEOUT_MS,
      permissive: args.permissive,
      combine: args.combine,
      leaseMs: LEASE_MS,
    };
    // Each worker numbers its clients from its index (runWorkers adds `index`).
    const reports = await runWorkers<Omit<LinearizabilityWorkerConfig, 'index'>, LinearizabilityWorkerReport>(
      WORKER_SCRIPT,
      config,
      args.processes,
    );
    for (const proxy of proxies) proxy.clearReplyFaults(); // every fault ends before the final reads
    const after = new HistoryRecorder();
    let model: Model<unknown, unknown, unknown>;
    if (kind === 'deque') {
      await drainDeques(new Map(names.map((name) => [name, Deque.bind<number>(store, name, { flushBytes: args.flushBytes, combine: args.combine })])), after as never, 0);
      model = dequeModel(names) as Model<unknown, unknown, unknown>;
    } else if (kind === 'queue') {
      await drainPastLeases(WorkQueue.bind<number>(store, names[0]!, { leaseMs: LEASE_MS }), after);
      model = queueModel({ maxDeliveries: MAX_DELIVERIES }) as Model<unknown, unknown, unknown>;
    } else {
      await finalRead({ read: (keys) => mcasGetMulti<string>(store, keys), mcas: async (_: readonly (readonly [Entry<string>, string])[]) => false }, after as never, 0, names);
      model = registerModel(initial) as Model<unknown, unknown, unknown>;
    }
    const faults = { cut: 0, tear: 0, stall: 0 };
    for (const proxy of proxies) for (const [fault, count] of Object.entries(proxy.replyFaultCounts)) faults[fault as keyof typeof faults] += count;
    return {
      model,
      operations: [...reports.flatMap((report) => report.operations), ...after.operations()],
      open: reports.reduce((sum, report) => sum + report.stats.unknown, 0),
      unexpected: reports.flatMap((report) => report.unexpected),
      faults,
      combined: reports.reduce((sum, report) => sum + report.combined, 0),
    };
  } finally {
    await store.close();
    await Promise.all(proxies.map((proxy) => proxy.close()));
  }
}

/** The queue's drain, with this process's clock moved past every lease (`expireAll` in the history): held and lost leases come back too. */
async function drainPastLeases(queue: WorkQueue<number>, recorder: HistoryRecorder): Promise<void> {
  const realNow = Date.now;
  try {
    await recorder.record(0, { op: 'expireAll' }, async () => {
      Date.now = () => realNow() + 2 * LEASE_MS;
      return null;
    });
    await drainQueue(queue, recorder as never, 0);
  } finally {
    Date.now = realNow;
  }
}

export async function runLinearizabilityLoad(args: LoadArgs, servers: readonly string[], progress: (message: string) => void): Promise<LoadReport> {
  const firstSeed = args.seed ?? Math.floor(Math.random() * 1_000_000);
  const deadline = Date.now() + args.seconds * 1000;
  progress(
    `${args.processes} processes × ${args.clients} clients × ${args.ops} ops per history, fault rate ${args.faultRate}, flushBytes ${args.flushBytes}, ` +
      `${args.permissive ? 'every lost reply open-ended' : 'deque: only *_OUTCOME_UNKNOWN open-ended'}${args.combine ? ', deques combining across processes' : ''}, first seed ${firstSeed}, ${args.seconds} s on ${servers.join(', ')}`,
  );
  const counts = { histories: 0, deque: 0, registers: 0, queue: 0, ok: 0, unknown: 0, operations: 0, open: 0, cut: 0, tear: 0, stall: 0, combined: 0 };
  const violations: string[] = [];
  const saved: string[] = [];
  for (let seed = firstSeed; Date.now() < deadline; seed++) {
    const kind: Kind = (['deque', 'deque', 'registers', 'queue'] as const)[(seed - firstSeed) % 4]!;
    const history = await recordHistory(kind, seed, args, servers);
    const result = checkLinearizability(history.model, history.operations, {
      maxSteps: MAX_STEPS,
      timeoutMs: CHECK_TIMEOUT_MS,
      retry: { maxSteps: RETRY_MAX_STEPS, timeoutMs: RETRY_TIMEOUT_MS },
    });
    counts.histories += 1;
    counts[kind] += 1;
    counts.operations += history.operations.length;
    counts.open += history.open;
    counts.combined += history.combined;
    for (const fault of ['cut', 'tear', 'stall'] as const) counts[fault] += history.faults[fault];
    if (result.kind === 'ok') counts.ok += 1;
    if (result.kind === 'unknown') counts.unknown += 1;
    for (const error of history.unexpected.slice(0, 3)) violations.push(`seed ${seed} (${kind}): unexpected error ${error.split('\n')[0]}`);
    if (result.kind !== 'ok' || history.unexpected.length > 0) {
      const file = path.resolve(args.saveDir, `linearizability-${kind}-seed-${seed}.json`);
      await savePorcupineHistory(file, history.model, history.operations, result);
      saved.push(file);
      if (result.kind === 'violation') violations.push(`seed ${seed} (${kind}): not linearizable; history of ${history.operations.length} operations saved to ${file}`);
    }
    progress(`history ${counts.histories} seed ${seed} ${kind}: ${history.operations.length} ops, ${history.open} open-ended, faults ${JSON.stringify(history.faults)}${args.combine && kind === 'deque' ? `, ${history.combined} combined` : ''} → ${result.kind} (${result.steps} steps)`);
  }
  // --combine must have exercised combining, or the run checked the direct path only.
  if (args.combine && counts.deque >= 4 && counts.combined === 0) violations.push(`--combine: no operation was combined in ${counts.deque} deque histories (the combining path was never taken)`);
  return {
    title: `linearizability: ${args.processes} processes × ${args.clients} clients × ${args.ops} ops per history, fault rate ${args.faultRate}, ${servers.length} server(s)`,
    lines: [
      ['histories checked', `${counts.histories} (${counts.deque} deque, ${counts.registers} MCAS registers, ${counts.queue} work queue): ${counts.ok} linearizable, ${violations.filter((line) => line.includes('not linearizable')).length} not, ${counts.unknown} unknown (bound hit)`],
      ['operations', `${counts.operations} (${counts.open} with an unknown outcome)`],
      ...(args.combine ? [['deque operations combined', `${counts.combined} (announced by one process, applied by another's or its own combining CAS)`] as [string, string]] : []),
      ['faults injected', `${counts.cut + counts.tear + counts.stall} (cut ${counts.cut}, torn ${counts.tear}, stalled ${counts.stall})`],
      ['seeds', `${firstSeed} … ${firstSeed + counts.histories - 1} (rerun one with --seed)`],
      ['histories saved', saved.length === 0 ? 'none' : saved.join(', ')],
    ],
    violations,
  };
}
