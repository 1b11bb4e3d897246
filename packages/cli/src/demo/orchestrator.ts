/**
 * `mcc demo`'s orchestrator: sets up the deques, accounts and work queue, runs the
 * worker processes for the given time, drains the queue, and checks every
 * invariant against what the workers report and what the servers hold.
 *
 *   setup ─▶ fork workers ─▶ ready ─▶ go ─▶ (seconds) ─▶ stop producers, shuttle, bank, jobs (which drains its queue)
 *         ─▶ drain consumers ─▶ fsck deques, drain shuttle deques, read accounts and queue counts ─▶ summary
 */
import { randomBytes } from 'node:crypto';
import { connect, Deque, inspectDeque, type Store } from '@mcc/deque';
import { mcasGetMulti } from '@mcc/mcas';
import { WorkQueue } from '@mcc/queue';
import { CliError } from '../cli-error';
import { clientOptionsOf, type ConnectionSettings } from '../connection-options';
import { formatCount } from '../format';
import type { DemoNames, Role, WorkerAssignment, WorkerResult } from './messages';
import type { ProgressSnapshot, WorkloadProgress } from './progress';
import { INITIAL_BALANCE } from './roles';
import { accountsCheck, errorsCheck, jobsCheck, queueChecks, shuttleCheck, tallyQueue, type Check } from './verify';
import { WorkerProcess } from './worker-process';

export interface DemoSettings {
  readonly servers: readonly string[];
  /** Protocol, TLS and SASL of every connection, the workers' too. */
  readonly connection: ConnectionSettings;
  readonly seconds: number;
  readonly producers: number;
  readonly consumers: number;
  /** Concurrent loops per producer process (consumers, shuttle and bank run half as many, at least 2). */
  readonly concurrency: number;
  /** Aborts the run (Ctrl-C): workers are killed and the result is partial (`interrupted`, no checks). */
  readonly signal: AbortSignal;
  /** Called about ten times a second while workers run. */
  readonly onProgress: (snapshot: ProgressSnapshot) => void;
}

/** One workload's totals. */
export interface WorkloadSummary {
  readonly name: string;
  readonly processes: number;
  readonly concurrency: number;
  readonly ops: number;
  /** Operations completed in the run window, over its length: what the live rates show, averaged. */
  readonly opsPerSecond: number;
  /** Socket flushes per completed operation (one flush = one round trip to one server). */
  readonly roundTripsPerOp: number;
  readonly retries: number;
  readonly retriesMeaning: string;
}

export interface DemoResult {
  readonly ok: boolean;
  /** True when Ctrl-C ended the run: the figures so far, nothing verified. */
  readonly interrupted: boolean;
  /** The run window: from go to the stop of the producers. */
  readonly seconds: number;
  /** The most items seen waiting in the queue (its length, sampled every BACKLOG_SAMPLE_MS). */
  readonly maxBacklog: number;
  readonly backlogLimit: number;
  readonly workloads: readonly WorkloadSummary[];
  readonly checks: readonly Check[];
  readonly names: DemoNames;
  /** Warnings the workers printed, by worker. */
  readonly workerOutput: readonly string[];
}

const SHUTTLE_ITEMS = 100;
const ACCOUNTS = 10;
const BACKLOG_LIMIT = 2000;
const READY_TIMEOUT_MS = 20_000;
const STOP_TIMEOUT_MS = 20_000;
const DRAIN_TIMEOUT_MS = 20_000;
const PROGRESS_INTERVAL_MS = 100;
const BACKLOG_SAMPLE_MS = 250;

function demoNames(): DemoNames {
  const run = `demo-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
  return {
    queue: `${run}-queue`,
    shuttleLeft: `${run}-left`,
    shuttleRight: `${run}-right`,
    accounts: Array.from({ length: ACCOUNTS }, (_, index) => `mcc:${run}:account:${index}`),
    workQueue: `${run}-jobs`,
  };
}

/** Rejects when `signal` aborts or `ms` pass; resolves with `promise` otherwise. */
function within<T>(promise: Promise<T>, ms: number, what: string, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new CliError('MCC_ERR_CLI_DEMO_TIMEOUT', `${what} did not finish within ${ms / 1000} s`)), ms);
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
    });
  });
}

function sleepUnlessAborted(ms: number, signal: AbortSignal): Promise<void> {
  return within(new Promise((resolve) => setTimeout(resolve, ms)), ms + 1000, 'waiting', signal);
}

async function setUp(store: Store, names: DemoNames): Promise<void> {
  await Deque.create(store, names.queue);
  const left = await Deque.create<number>(store, names.shuttleLeft);
  await Deque.create(store, names.shuttleRight);
  await left.extend(Array.from({ length: SHUTTLE_ITEMS }, (_, index) => index + 1));
  await Promise.all(names.accounts.map((key) => store.set(key, INITIAL_BALANCE)));
  await WorkQueue.create(store, names.workQueue);
}

/** Pops everything left in a deque (after its users stopped). */
async function drainDeque(store: Store, name: string): Promise<unknown[]> {
  const deque = Deque.bind(store, name);
  const values: unknown[] = [];
  for (let value = await deque.popLeft(); value !== undefined; value = await deque.popLeft()) values.push(value);
  return values;
}

async function fsckCheck(store: Store, names: readonly string[]): Promise<Check> {
  const reports = await Promise.all(names.map((name) => inspectDeque(store, name)));
  const problems = reports.flatMap((report) => report.problems.map((problem) => `${problem.key}: ${problem.problem}`));
  return {
    name: 'deques intact (fsck)',
    ok: problems.length === 0,
    detail: problems.length === 0 ? `${names.length} deques walked, every chunk present, lengths match` : `${problems.length} problems, e.g. ${problems[0]}`,
  };
}

async function cleanUp(store: Store, names: DemoNames): Promise<void> {
  await Promise.allSettled([
    ...[names.queue, names.shuttleLeft, names.shuttleRight].map((name) => Deque.bind(store, name).destroy()),
    ...names.accounts.map((key) => store.delete(key)),
    WorkQueue.bind(store, names.workQueue).destroy(),
  ]);
}

function summarize(name: string, concurrency: number, results: readonly WorkerResult[], windowOps: number, windowSeconds: number, retriesMeaning: string): WorkloadSummary {
  const ops = results.reduce((sum, result) => sum + result.ops, 0);
  const writes = results.reduce((sum, result) => sum + result.writes, 0);
  return {
    name,
    processes: results.length,
    concurrency,
    ops,
    opsPerSecond: windowSeconds > 0 ? windowOps / windowSeconds : 0,
    roundTripsPerOp: ops > 0 ? writes / ops : 0,
    retries: results.reduce((sum, result) => sum + result.retries, 0),
    retriesMeaning,
  };
}

/** What Ctrl-C leaves: the live counters so far, as a summary without checks. */
function partialResult(plan: readonly { label: string; concurrency: number; count: number }[], progress: readonly WorkloadProgress[], seconds: number, names: DemoNames, maxBacklog: number, backlogLimit: number): DemoResult {
  const workloads = plan.map(({ label, concurrency, count }, index) => {
    const ops = progress[index]?.ops ?? 0;
    return { name: label, processes: count, concurrency, ops, opsPerSecond: seconds > 0 ? ops / seconds : 0, roundTripsPerOp: 0, retries: progress[index]?.retries ?? 0, retriesMeaning: progress[index]?.retriesLabel ?? '' };
  });
  return { ok: false, interrupted: true, seconds, maxBacklog, backlogLimit, workloads, checks: [], names, workerOutput: [] };
}

/**
 * Runs the demo; resolves with its verified result (ok or not), or with a
 * partial one when the signal aborts it while it runs; rejects on an
 * operational failure.
 */
export async function runDemo(settings: DemoSettings): Promise<DemoResult> {
  const { signal } = settings;
  const names = demoNames();
  const secondaryConcurrency = Math.max(2, Math.floor(settings.concurrency / 2));
  const plan: { role: Role; count: number; concurrency: number; label: string; unit: string; retriesLabel?: string }[] = [
    { role: 'producer', count: settings.producers, concurrency: settings.concurrency, label: 'append', unit: 'items' },
    { role: 'consumer', count: settings.consumers, concurrency: secondaryConcurrency, label: 'popLeft', unit: 'items' },
    { role: 'shuttle', count: 1, concurrency: secondaryConcurrency, label: 'moveTo', unit: 'moves' },
    { role: 'bank', count: 1, concurrency: secondaryConcurrency, label: 'mcas', unit: 'txns', retriesLabel: 'lost races, retried' },
    { role: 'jobs', count: 1, concurrency: secondaryConcurrency, label: 'claim', unit: 'jobs', retriesLabel: 'nacked, redelivered' },
  ];
  const producerLoops = settings.producers * settings.concurrency;
  const backlogLimit = Math.max(BACKLOG_LIMIT, 2 * producerLoops);
  const store = connect([...settings.servers], { connectTimeoutMs: 5000, requestTimeoutMs: 15_000, ...clientOptionsOf(settings.connection) });
  const workers: WorkerProcess[] = [];
  let ticker: NodeJS.Timeout | undefined;
  let sampler: NodeJS.Timeout | undefined;
  let backlog = 0;
  let maxBacklog = 0;
  let started = 0;
  let snapshot: (() => ProgressSnapshot) | undefined;
  try {
    await within(setUp(store, names), READY_TIMEOUT_MS, 'setting up the deques and accounts', signal);
    for (const { role, count, concurrency } of plan) {
      for (let index = 0; index < count; index++) {
        const assignment: WorkerAssignment = { role, index, servers: settings.servers, connection: settings.connection, names, concurrency, backlogLimit, producerLoops };
        workers.push(new WorkerProcess(assignment));
      }
    }
    const ofRole = (role: Role): WorkerProcess[] => workers.filter((worker) => worker.role === role);
    // Any worker failing at any time ends the demo.
    const failure = new Promise<never>((_, reject) => {
      for (const worker of workers) worker.done.catch(reject);
    });
    failure.catch(() => undefined);
    await within(Promise.race([Promise.all(workers.map((worker) => worker.ready)), failure]), READY_TIMEOUT_MS, 'starting the worker processes', signal);

    started = Date.now();
    const totalMs = settings.seconds * 1000;
    let phase = 'running';
    // The backlog shown and checked is the queue's real length, not produced − consumed counters that lag.
    const queue = Deque.bind(store, names.queue);
    const sample = (): void => {
      void queue.length().then((length) => {
        backlog = length;
        maxBacklog = Math.max(maxBacklog, length);
      }, () => undefined);
    };
    sampler = setInterval(sample, BACKLOG_SAMPLE_MS);
    snapshot = (): ProgressSnapshot => {
      const workloads: WorkloadProgress[] = plan.map(({ role, concurrency, label, unit, retriesLabel }) => {
        const group = ofRole(role);
        return {
          label,
          unit,
          processes: group.length,
          concurrency,
          ops: group.reduce((sum, worker) => sum + worker.progress.ops, 0),
          retries: group.reduce((sum, worker) => sum + worker.progress.retries, 0),
          ...(retriesLabel === undefined ? {} : { retriesLabel }),
        };
      });
      const clockMs = Date.now() - started;
      return { elapsedMs: Math.min(clockMs, totalMs), clockMs, totalMs, phase, workloads, backlog, backlogLimit };
    };
    const current = snapshot;
    ticker = setInterval(() => settings.onProgress(current()), PROGRESS_INTERVAL_MS);
    for (const worker of workers) worker.send({ type: 'go' });

    await Promise.race([sleepUnlessAborted(totalMs, signal), failure]);
    // The run window ends here: its counters are what the live rates were computed from.
    const atStop = current();
    const windowSeconds = atStop.clockMs / 1000;
    const stopping = workers.filter((worker) => worker.role !== 'consumer');
    for (const worker of stopping) worker.send({ type: 'stop' });
    const stopped = await within(Promise.race([Promise.all(stopping.map((worker) => worker.done)), failure]), STOP_TIMEOUT_MS, 'stopping the producers, shuttle, bank and jobs', signal);
    phase = 'draining';
    for (const worker of ofRole('consumer')) worker.send({ type: 'drain' });
    const consumed = await within(Promise.race([Promise.all(ofRole('consumer').map((worker) => worker.done)), failure]), DRAIN_TIMEOUT_MS, 'draining the queue', signal);
    clearInterval(ticker);
    ticker = undefined;
    clearInterval(sampler);
    sampler = undefined;
    settings.onProgress({ ...current(), phase: 'verifying', elapsedMs: totalMs });

    const results = [...stopped, ...consumed];
    const byRole = (role: Role): WorkerResult[] => results.filter((result) => result.role === role);
    const verify = async (): Promise<Check[]> => {
      const fsck = await fsckCheck(store, [names.queue, names.shuttleLeft, names.shuttleRight, ...WorkQueue.bind(store, names.workQueue).dequeNames]);
      const leftOver = await drainDeque(store, names.queue);
      const consumerLoops = byRole('consumer').length * secondaryConcurrency;
      const tally = tallyQueue(byRole('producer'), byRole('consumer'), leftOver, consumerLoops);
      const shuttled = [...(await drainDeque(store, names.shuttleLeft)), ...(await drainDeque(store, names.shuttleRight))];
      const balances = await mcasGetMulti(store, names.accounts);
      const moves = byRole('shuttle').reduce((sum, result) => sum + result.ops, 0);
      const transfers = byRole('bank').reduce((sum, result) => sum + result.ops, 0);
      const jobsLeft = await WorkQueue.bind(store, names.workQueue).stats();
      return [
        ...queueChecks(tally),
        shuttleCheck(shuttled, SHUTTLE_ITEMS, moves),
        accountsCheck(
          names.accounts.map((key) => {
            const value = balances.get(key)?.value;
            return typeof value === 'number' ? value : undefined;
          }),
          ACCOUNTS * INITIAL_BALANCE,
          transfers,
        ),
        jobsCheck(byRole('jobs'), jobsLeft),
        fsck,
        {
          name: 'backlog within its cap',
          ok: maxBacklog <= backlogLimit,
          detail: `at most ${formatCount(maxBacklog)} of ${formatCount(backlogLimit)} items waiting (the queue's length, sampled every ${BACKLOG_SAMPLE_MS} ms)`,
        },
        errorsCheck(results),
      ];
    };
    const checks = await within(verify(), READY_TIMEOUT_MS, 'verifying', signal);
    const ok = checks.every((check) => check.ok);
    // Keep the evidence when something is wrong; otherwise leave the servers as we found them.
    if (ok) await within(cleanUp(store, names), READY_TIMEOUT_MS, 'cleaning up', signal).catch(() => undefined);
    const workloads = plan.map(({ role, label, concurrency, retriesLabel }, index) =>
      summarize(label, concurrency, byRole(role), atStop.workloads[index]?.ops ?? 0, windowSeconds, retriesLabel ?? (role === 'consumer' ? 'empty pops' : role === 'shuttle' ? 'empty source' : '')),
    );
    return {
      ok,
      interrupted: false,
      seconds: windowSeconds,
      maxBacklog,
      backlogLimit,
      workloads,
      checks,
      names,
      workerOutput: workers.filter((worker) => worker.stderr.trim() !== '').map((worker) => `${worker.name}: ${worker.stderr.trim()}`),
    };
  } catch (error) {
    // Ctrl-C once the workers run: report what they did so far (the caller prints it, unverified).
    if (!signal.aborted || snapshot === undefined) throw error;
    const last = snapshot();
    return partialResult(plan, last.workloads, last.clockMs / 1000, names, maxBacklog, backlogLimit);
  } finally {
    if (ticker !== undefined) clearInterval(ticker);
    if (sampler !== undefined) clearInterval(sampler);
    for (const worker of workers) worker.kill();
    await store.close().catch(() => undefined);
  }
}
