/**
 * One client process of `pnpm load linearizability`: `clients` concurrent
 * clients (async loops) of two deques, of a set of MCAS registers, or of one
 * work queue (@mcc/queue, a lease far longer than the history), each
 * issuing random operations recorded with @mcc/linearizability; the history
 * goes to the parent as the process's report.
 */
import { Deque, connect } from '@mcc/deque';
import { seededRandom } from '@mcc/harness';
import { HistoryRecorder, classifyError, classifyResolvedError, runDequeClient, runQueueClient, runRegisterClient, type HistoryOperation, type RecorderStats } from '@mcc/linearizability';
import { mcas, mcasGetMulti, type Entry } from '@mcc/mcas';
import { WorkQueue } from '@mcc/queue';

export interface LinearizabilityWorkerConfig {
  readonly kind: 'deque' | 'registers' | 'queue';
  readonly servers: readonly string[];
  /** deque: the deques' names; registers: the locations' keys; queue: the queue's name. */
  readonly names: readonly string[];
  readonly flushBytes: number;
  /** Clients in this process; they are numbered from 1 + index × clients (0 is the parent). */
  readonly clients: number;
  readonly operations: number;
  readonly seed: number;
  readonly requestTimeoutMs: number;
  /** Deque operations that failed with a lost reply are open-ended (else: not applied, see classifyResolvedError). */
  readonly permissive: boolean;
  /** deque: combine across processes (`DequeOptions.combine`). */
  readonly combine: boolean;
  /** queue: the lease, ms. */
  readonly leaseMs?: number;
  readonly index: number;
}

export interface LinearizabilityWorkerReport {
  readonly operations: HistoryOperation[];
  readonly stats: RecorderStats;
  readonly unexpected: string[];
  /** deque: announced operations this process's CASes applied (cross-process combining). */
  readonly combined: number;
}

async function main(config: LinearizabilityWorkerConfig): Promise<LinearizabilityWorkerReport> {
  // Quiet deletes of garbage that fail under the injected faults are expected here: not worth a warning each.
  const store = connect([...config.servers], { requestTimeoutMs: config.requestTimeoutMs, onBackgroundError: () => undefined });
  // The deque resolves lost replies itself; a lone `store.cas` (a one-location mcas) does not.
  // The queue's settles retry lost replies but may give up with one: every lost reply open-ended there.
  const recorder = new HistoryRecorder({ classify: config.kind === 'deque' && !config.permissive ? classifyResolvedError : classifyError });
  let combined = 0;
  const clients = Array.from({ length: config.clients }, (_, index) => 1 + config.index * config.clients + index);
  try {
    if (config.kind === 'deque') {
      const deques = new Map(config.names.map((name) => [name, Deque.bind<number>(store, name, { flushBytes: config.flushBytes, combine: config.combine })]));
      await Promise.all(clients.map((client) => runDequeClient(deques, recorder as never, { client, operations: config.operations, random: seededRandom(config.seed * 1000 + client) })));
      for (const deque of deques.values()) combined += deque.stats.combined;
    } else if (config.kind === 'queue') {
      const queue = WorkQueue.bind<number>(store, config.names[0]!, { leaseMs: config.leaseMs! });
      await Promise.all(clients.map((client) => runQueueClient(queue, recorder as never, { client, operations: config.operations, random: seededRandom(config.seed * 1000 + client) })));
    } else {
      const api = { read: (keys: readonly string[]) => mcasGetMulti<string>(store, keys), mcas: (updates: readonly (readonly [Entry<string>, string])[]) => mcas(store, updates) };
      await Promise.all(clients.map((client) => runRegisterClient(api, recorder as never, { client, rounds: config.operations, random: seededRandom(config.seed * 1000 + client), keys: config.names })));
    }
  } finally {
    await store.close();
  }
  return { operations: recorder.operations(), stats: recorder.stats, unexpected: recorder.unexpectedErrors, combined };
}

if (require.main === module) {
  main(JSON.parse(process.argv[2]!) as LinearizabilityWorkerConfig)
    .then((report) => process.send!(report))
    .catch((error: unknown) => {
      process.stderr.write(`linearizability worker: ${(error as Error).stack ?? String(error)}\n`);
      process.exitCode = 1;
    })
    .finally(() => process.disconnect());
}
