/**
 * Linearizability of two deques under lost, torn and stalled replies.
 *
 * Each history: two deques on three memcached servers, each server behind a
 * fault proxy that hits replies at random (seeded: cut before the reply,
 * torn in the middle, stalled past the clients' request timeout); several
 * child processes with a few clients each issue random operations — both
 * ends, extend, peeks, length, and moveTo between the deques — with a small
 * flushBytes so chunks are flushed and unflushed all the time. After the
 * clients are done the faults stop and the parent drains both deques (those
 * pops are part of the history). The whole history must be linearizable
 * against the sequential model of two deques, every operation whose outcome
 * is unknown taken as "may or may not have happened": by default only
 * *_OUTCOME_UNKNOWN errors (the deque resolves lost replies itself, so a
 * closed connection or a timeout escaping it means nothing changed —
 * classifyResolvedError), in the `permissive` histories every lost reply
 * (classifyError, as Jepsen would).
 *
 * Before the fix of issue 9 §3 (an MCAS whose first acquisition reply was
 * lost returned false although a helper had completed it, so moveTo moved a
 * second value), about 1 in 6 of these histories was not linearizable; see
 * linearizability-lost-move.test.ts for the interleaving, replayed.
 */
import * as path from 'node:path';
import { FaultProxy, closeAllProxies, useMemcached } from '@mcc/harness';
import {
  HistoryRecorder,
  dequeModel,
  drainDeques,
  requireLinearizable,
  type CheckResult,
  type DequeInput,
  type DequeOutput,
  type HistoryOperation,
  runHistoryWorker,
  type HistoryWorkerMessage,
} from '@mcc/linearizability';
import { Deque, connect } from '../src';

const cluster = useMemcached(3, { evictions: false });
afterEach(() => closeAllProxies());

const WORKER = path.join(__dirname, 'fixtures', 'linearizability-worker.js');
type Operation = HistoryOperation<DequeInput<number>, DequeOutput<number>>;

interface HistoryConfig {
  readonly seed: number;
  readonly processes: number;
  readonly clientsPerProcess: number;
  readonly operations: number;
  readonly flushBytes: number;
  /** Chance that a reply is hit by a fault. */
  readonly faultProbability: number;
  readonly moves: boolean;
  /** Every lost reply open-ended (slow to check: keep such histories small). */
  readonly permissive?: boolean;
  /** Cross-process combining on (DequeOptions.combine). */
  readonly combine?: boolean;
}

interface WorkerMessage extends HistoryWorkerMessage<Operation> {
  combining?: { announced: number; combined: number };
}

const REQUEST_TIMEOUT_MS = 150;
const STALL_MS = 300;

const runWorker = (config: object): Promise<WorkerMessage> => runHistoryWorker<WorkerMessage>(WORKER, config);

async function recordHistory(config: HistoryConfig): Promise<{ names: string[]; operations: Operation[]; unknown: number; unexpected: string[]; faults: number; combined: number }> {
  const proxies = await Promise.all(cluster.addresses.map((address) => FaultProxy.start(address)));
  const servers = proxies.map((proxy) => proxy.address);
  const names = ['a', 'b'].map((side) => `lin-${config.seed}-${side}-${Math.random().toString(36).slice(2, 8)}`);
  const store = connect(servers, { requestTimeoutMs: 2000 });
  try {
    for (const name of names) await Deque.create(store, name);
    proxies.forEach((proxy, index) => proxy.setRandomReplyFaults({ seed: config.seed * 10 + index, probability: config.faultProbability, stallMs: STALL_MS }));
    const results = await Promise.all(
      Array.from({ length: config.processes }, (_, index) =>
        runWorker({
          servers,
          names,
          flushBytes: config.flushBytes,
          clients: config.clientsPerProcess,
          firstClient: 1 + index * config.clientsPerProcess,
          operations: config.operations,
          seed: config.seed,
          moves: config.moves,
          permissive: config.permissive ?? false,
          combine: config.combine ?? false,
          requestTimeoutMs: REQUEST_TIMEOUT_MS,
        }),
      ),
    );
    for (const proxy of proxies) proxy.clearReplyFaults(); // every fault ends before the final reads
    const drain = new HistoryRecorder<DequeInput<number>, DequeOutput<number>>();
    await drainDeques(new Map(names.map((name) => [name, Deque.bind<number>(store, name, { flushBytes: config.flushBytes })])), drain, 0);
    return {
      names,
      operations: [...results.flatMap((result) => result.operations!), ...drain.operations()],
      unknown: results.reduce((sum, result) => sum + result.stats!.unknown, 0),
      unexpected: results.flatMap((result) => result.unexpected ?? []),
      faults: proxies.reduce((sum, proxy) => sum + Object.values(proxy.replyFaultCounts).reduce((a, b) => a + b, 0), 0),
      combined: results.reduce((sum, result) => sum + (result.combining?.combined ?? 0), 0),
    };
  } finally {
    await store.close();
  }
}

/** Records and checks one history; one not shown linearizable is saved (Porcupine JSON) and named in the failure. */
async function expectLinearizable(config: HistoryConfig): Promise<{ result: CheckResult; faults: number; unknown: number; combined: number }> {
  const history = await recordHistory(config);
  expect(history.unexpected).toEqual([]);
  const model = dequeModel<number>(history.names);
  // A history with many open-ended operations can need far more search than most (the
  // permissive seeds: one gave up at 3 M steps): a search that gives up is run once more
  // with a budget 15 times larger before the test fails — a violation fails at once.
  const result = await requireLinearizable(model, history.operations, {
    name: `deque-seed-${config.seed}`,
    maxSteps: 3_000_000,
    timeoutMs: 15_000,
    retry: { maxSteps: 45_000_000, timeoutMs: 40_000 },
  });
  return { result, faults: history.faults, unknown: history.unknown, combined: history.combined };
}

const BASE: Omit<HistoryConfig, 'seed'> = { processes: 3, clientsPerProcess: 2, operations: 14, flushBytes: 40, faultProbability: 0.04, moves: true };

test('a fault-free history with moves and chunks is linearizable (the checker sees real concurrency)', async () => {
  const { result, faults } = await expectLinearizable({ ...BASE, seed: 1, faultProbability: 0 });
  expect(faults).toBe(0);
  expect(result.kind === 'ok' && result.linearization.length).toBeGreaterThan(80);
}, 75_000);

test.each([2, 3, 4, 5, 6, 7, 8, 9])('histories with lost, torn and stalled replies are linearizable (seed %i)', async (seed) => {
  const { faults } = await expectLinearizable({ ...BASE, seed });
  expect(faults).toBeGreaterThan(0);
}, 75_000);

test.each([10, 11])('and with every lost reply taken as "may or may not have happened" (seed %i)', async (seed) => {
  const { faults } = await expectLinearizable({ ...BASE, seed, operations: 8, faultProbability: 0.05, permissive: true });
  expect(faults).toBeGreaterThan(0);
}, 90_000);

test('and with a few random seeds', async () => {
  for (let run = 0; run < 3; run++) {
    const seed = 1000 + Math.floor(Math.random() * 1_000_000);
    await expectLinearizable({ ...BASE, seed });
  }
}, 150_000);

describe('with cross-process combining (announced operations applied by whichever process wins the anchor)', () => {
  // Histories of the same size as above (larger ones leave the checker undecided).
  const COMBINING: Omit<HistoryConfig, 'seed'> = { ...BASE, combine: true };
  // Whether a history combines depends on timing (a process announces after losing a CAS): counted over the block.
  const combinedPerHistory: number[] = [];

  test.each([21, 22, 23, 24])('histories with lost, torn and stalled replies are linearizable (seed %i)', async (seed) => {
    const { faults, combined } = await expectLinearizable({ ...COMBINING, seed });
    expect(faults).toBeGreaterThan(0);
    combinedPerHistory.push(combined);
  }, 75_000);

  test('a fault-free history is linearizable', async () => {
    combinedPerHistory.push((await expectLinearizable({ ...COMBINING, seed: 25, faultProbability: 0 })).combined);
  }, 75_000);

  // Typically 7–20 operations combined in each of the five (load 6); "most of them" once failed on a machine
  // loaded beyond that. What this block needs is that checked histories include combined operations; each
  // combining rule is tested deterministically in combining.test.ts.
  test('and operations were combined in these histories (the combining path was taken)', () => {
    expect(combinedPerHistory).toHaveLength(5);
    expect(combinedPerHistory.filter((combined) => combined > 0).length).toBeGreaterThanOrEqual(1);
  });

  test('and with a few random seeds', async () => {
    for (let run = 0; run < 2; run++) await expectLinearizable({ ...COMBINING, seed: 2000 + Math.floor(Math.random() * 1_000_000) });
  }, 150_000);
});
