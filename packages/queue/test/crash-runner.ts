/**
 * Runs producers and consumers of one queue in child processes, replacing
 * consumers that crash (SIGKILL between claim and ack), and checks the
 * at-least-once invariants from what every process reported plus the
 * queue's final state. Shared by the crash tests.
 */
import { fork, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { WorkQueue, type DeadLetter, type Store } from '../src';

const WORKER = path.join(__dirname, 'fixtures', 'queue-worker.js');

export interface RunOptions {
  readonly servers: readonly string[];
  readonly queue: string;
  readonly producers: number;
  readonly jobsPerProducer: number;
  readonly pushBatch: number;
  readonly poisonEvery: number;
  readonly consumers: number;
  readonly loops: number;
  readonly crashProbability: number;
  /** Crashes allowed in all; later consumers never crash. */
  readonly maxCrashes: number;
  readonly workMs: number;
  readonly maxDeliveries: number;
  readonly timeoutMs: number;
  /** Started proxies or anything else a child should be told about: passed through as queue options. */
  readonly queueOptions?: Record<string, unknown>;
}

type Delivery = readonly [id: string, delivery: number];

export interface RunReport {
  readonly jobs: number;
  readonly poison: number;
  readonly crashes: number;
  readonly acked: number;
  readonly redeliveries: number;
  readonly redeliveredAfterCrash: number;
  readonly redeliveredAfterExpiry: number;
  readonly dead: number;
  readonly elapsedMs: number;
  readonly problems: readonly string[];
}

export async function runCrashScenario(store: Store, options: RunOptions): Promise<RunReport> {
  const started = Date.now();
  const pushed = new Map<string, { n: number; poison: boolean }>();
  const acked = new Map<string, number[]>();
  const failed = new Set<string>(); // `${id}:${d}` deliveries not acked: expired, abandoned, or held by a crashed consumer
  const crashedHeld = new Set<string>();
  let crashes = 0;
  let producersDone = 0;
  const children = new Set<ChildProcess>();
  const errors: string[] = [];

  const onReport = (message: Record<string, unknown>): void => {
    for (const [id, n, poison] of (message.pushed as [string, number, boolean][] | undefined) ?? []) pushed.set(id, { n, poison });
    for (const [id, d] of (message.acked as Delivery[] | undefined) ?? []) acked.set(id, [...(acked.get(id) ?? []), d]);
    for (const [id, d] of [...((message.expired as Delivery[] | undefined) ?? []), ...((message.abandoned as Delivery[] | undefined) ?? [])]) failed.add(`${id}:${d}`);
    for (const [id, d] of (message.held as Delivery[] | undefined) ?? []) crashedHeld.add(`${id}:${d}`);
    if (typeof message.error === 'string') errors.push(message.error);
  };
  const start = (role: 'produce' | 'consume', workerOptions: object): ChildProcess => {
    const child = fork(WORKER, [role, options.servers.join(','), options.queue, JSON.stringify({ ...workerOptions, queue: options.queueOptions ?? {} })], { stdio: 'inherit' });
    children.add(child);
    child.on('message', (message: Record<string, unknown>) => {
      onReport(message);
      if (message.done === true && role === 'produce') producersDone++;
    });
    child.on('exit', (_code, signal) => {
      children.delete(child);
      if (role === 'consume' && signal === 'SIGKILL' && !stopping) {
        crashes++;
        startConsumer();
      }
    });
    return child;
  };
  let stopping = false;
  const startConsumer = (): ChildProcess =>
    start('consume', { loops: options.loops, workMs: options.workMs, crashProbability: crashes < options.maxCrashes ? options.crashProbability : 0 });

  try {
    for (let p = 0; p < options.producers; p++) start('produce', { base: p * options.jobsPerProducer, count: options.jobsPerProducer, batch: options.pushBatch, poisonEvery: options.poisonEvery });
    for (let c = 0; c < options.consumers; c++) startConsumer();
    const queue = WorkQueue.bind(store, options.queue, { maxClockSkewMs: 0 });
    const total = options.producers * options.jobsPerProducer;
    // Done when every job was pushed and the queue is empty except for its dead letters.
    for (;;) {
      if (errors.length > 0) throw new Error(errors.join('\n'));
      if (Date.now() - started > options.timeoutMs) throw new Error(`not finished after ${options.timeoutMs} ms: ${JSON.stringify(await queue.stats())}, ${acked.size} acked`);
      await new Promise((resolve) => setTimeout(resolve, 200));
      if (producersDone < options.producers || pushed.size < total) continue;
      const stats = await queue.stats();
      // The dead deque itself, not stats.dead: that also counts a last delivery a sweep has yet to move there.
      if (stats.ready + stats.delayed + stats.inFlight === 0 && acked.size + (await queue.deadLetters.length()) >= total) break;
    }
    stopping = true;
    await Promise.all([...children].map((child) => new Promise((resolve) => {
      child.once('exit', resolve);
      child.send('stop');
    })));
    if (errors.length > 0) throw new Error(errors.join('\n'));
    const dead = (await queue.deadLetters.range(0, -1)) as DeadLetter[];
    return { ...check(options, pushed, acked, failed, crashedHeld, dead), crashes, elapsedMs: Date.now() - started };
  } finally {
    stopping = true;
    for (const child of children) child.kill('SIGKILL');
  }
}

function check(
  options: RunOptions,
  pushed: ReadonlyMap<string, { n: number; poison: boolean }>,
  acked: ReadonlyMap<string, number[]>,
  failed: ReadonlySet<string>,
  crashedHeld: ReadonlySet<string>,
  dead: readonly DeadLetter[],
): Omit<RunReport, 'crashes' | 'elapsedMs'> {
  const problems: string[] = [];
  const deadIds = new Set(dead.map((letter) => letter.id));
  if (deadIds.size !== dead.length) problems.push('a job is in the dead letters twice');
  let redeliveries = 0;
  let afterCrash = 0;
  let afterExpiry = 0;
  for (const [id, { poison }] of pushed) {
    const acks = acked.get(id) ?? [];
    if (poison && acks.length > 0) problems.push(`poison job ${id} was acked`);
    if (!poison && !deadIds.has(id) && acks.length !== 1) problems.push(`job ${id} was acked ${acks.length} times (exactly once expected)`);
    const last = acks.length === 1 ? acks[0]! : options.maxDeliveries;
    for (let d = 2; d <= last; d++) {
      redeliveries++;
      const previous = `${id}:${d - 1}`;
      if (crashedHeld.has(previous)) afterCrash++;
      else if (failed.has(previous)) afterExpiry++;
      else problems.push(`job ${id} was delivered a ${d}th time though delivery ${d - 1} was neither held by a crashed consumer nor expired`);
    }
    // Dead exactly when its last allowed delivery was not acked.
    const shouldBeDead = acks.length === 0;
    if (shouldBeDead !== deadIds.has(id)) problems.push(`job ${id}: ${shouldBeDead ? 'never acked but not in the dead letters' : 'acked yet in the dead letters'}`);
  }
  for (const letter of dead) {
    if (!pushed.has(letter.id)) problems.push(`dead letter ${letter.id} was never pushed`);
    else if (letter.deliveries !== options.maxDeliveries) problems.push(`dead letter ${letter.id} has ${letter.deliveries} deliveries, expected ${options.maxDeliveries}`);
  }
  for (const id of acked.keys()) if (!pushed.has(id)) problems.push(`acked job ${id} was never pushed`);
  const poison = [...pushed.values()].filter((job) => job.poison).length;
  return { jobs: pushed.size, poison, acked: acked.size, redeliveries, redeliveredAfterCrash: afterCrash, redeliveredAfterExpiry: afterExpiry, dead: dead.length, problems };
}
