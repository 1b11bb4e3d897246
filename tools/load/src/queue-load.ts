/**
 * `pnpm load queue`: issue 12's crash scenario for as long as you like.
 *
 * `--producers` processes push jobs (`pushMany` batches of 10, 1 in 500 a
 * "poison" job no consumer acks) for `--seconds`; `--consumers` processes ×
 * `--workers` loops claim and ack them, and SIGKILL themselves at random
 * between a claim and its ack (about `CRASHES_PER_CONSUMER_MINUTE`); every
 * crashed consumer is replaced. leaseMs 300, maxDeliveries 3. A redriver
 * process puts dead letters back into the queue (`redrive`, each batch one
 * atomic move) while the producers run. When the
 * producers are done and the queue holds nothing but dead letters, the
 * parent checks, from every process's reports and the final queue:
 *
 * - every job pushed or redriven was acked exactly once, or is in the dead
 *   letters (poison jobs, and jobs whose last allowed delivery was not
 *   acked), or was redriven as a new job — exactly one of these: nothing
 *   lost, nothing acked twice, nothing acked that was never pushed;
 * - every redriven dead letter was redriven once, was a job never acked,
 *   and is no longer in the dead letters (its new job carries it on);
 * - every redelivery (delivery d ≥ 2) follows a delivery d − 1 that was held
 *   by a crashed consumer or whose lease expired (ack refused, or a poison
 *   job left alone): counted by cause;
 * - the dead letters hold exactly the jobs that were never acked, each with
 *   maxDeliveries deliveries.
 */
import { connect, WorkQueue, type DeadLetter } from '@mcc/queue';
import { fork, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import type { LoadArgs } from './cli-args';
import type { QueueWorkerConfig, QueueWorkerMessage } from './queue-worker';
import type { LoadReport } from './report';

const WORKER_SCRIPT = path.join(__dirname, 'queue-worker.js');
const LEASE_MS = 300;
const MAX_DELIVERIES = 3;
const POISON_EVERY = 500;
const PUSH_BATCH = 10;
/** Per consumer process and minute of its life, about. */
const CRASHES_PER_CONSUMER_MINUTE = 6;
/**
 * Once the producers are done, give up when the queue has not shrunk for
 * this long: a long run's backlog (pushMany outpaces claim + ack) can take
 * minutes to drain, and only a stuck queue is a failure.
 */
const DRAIN_STALL_MS = 60_000;
const LISTED = 10;
/** The redriver: dead letters per `redrive` call, and the pause between calls. */
const REDRIVE_MAX = 20;
const REDRIVE_EVERY_MS = 200;

interface Seen {
  readonly pushed: Map<string, { n: number; poison: boolean }>;
  /** Jobs made by `redrive`: new id → the dead letter's id. */
  readonly redriven: Map<string, string>;
  /** Dead letters redriven → how many times (more than once is a violation). */
  readonly redrivenFrom: Map<string, number>;
  readonly acked: Map<string, number[]>;
  readonly failed: Set<string>;
  readonly crashedHeld: Set<string>;
  readonly errors: string[];
}

export async function runQueueLoad(args: LoadArgs, servers: readonly string[], progress: (message: string) => void): Promise<LoadReport> {
  const store = connect([...servers]);
  const children = new Set<ChildProcess>();
  const seen: Seen = { pushed: new Map(), redriven: new Map(), redrivenFrom: new Map(), acked: new Map(), failed: new Set(), crashedHeld: new Set(), errors: [] };
  let stopping = false;
  let crashes = 0;
  let producersDone = 0;
  let redriverDone = false;
  try {
    const name = `load-queue-${Date.now().toString(36)}-${process.pid}`;
    const queue = await WorkQueue.create(store, name, { leaseMs: LEASE_MS, maxDeliveries: MAX_DELIVERIES, maxClockSkewMs: 0 });
    progress(`${args.producers} producer + ${args.consumers} consumer processes × ${args.workers} loops + a redriver, ${args.seconds} s of pushes, random consumer crashes, on ${servers.join(', ')} (queue ${name})`);
    const started = Date.now();
    const deadline = started + args.seconds * 1000;
    // Jobs a consumer handles per minute are unknown up front: aim the crash rate at a rough 2,000 jobs/s shared by the consumers.
    const crashProbability = CRASHES_PER_CONSUMER_MINUTE / ((2000 / args.consumers) * 60);
    const base: Omit<QueueWorkerConfig, 'role' | 'base'> = {
      servers: [...servers], name, batch: PUSH_BATCH, poisonEvery: POISON_EVERY, deadline, loops: args.workers, crashProbability, maxClockSkewMs: 0,
      redriveMax: REDRIVE_MAX, redriveEveryMs: REDRIVE_EVERY_MS,
    };
    const start = (config: QueueWorkerConfig): void => {
      const child = fork(WORKER_SCRIPT, [JSON.stringify(config)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
      children.add(child);
      child.on('message', (message: QueueWorkerMessage) => {
        record(seen, message);
        if (message.done === true && config.role === 'produce') producersDone++;
        if (message.done === true && config.role === 'redrive') redriverDone = true;
      });
      child.on('exit', (_code, signal) => {
        children.delete(child);
        if (config.role === 'consume' && signal === 'SIGKILL' && !stopping) {
          crashes++;
          start(config);
        }
      });
    };
    for (let p = 0; p < args.producers; p++) start({ ...base, role: 'produce', base: p * 1_000_000_000 });
    for (let c = 0; c < args.consumers; c++) start({ ...base, role: 'consume', base: 0 });
    start({ ...base, role: 'redrive', base: 0 });
    let left = Infinity;
    let shrankAt = Date.now();
    for (;;) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      if (seen.errors.length > 0) break;
      if (producersDone < args.producers || !redriverDone) {
        shrankAt = Date.now();
        continue;
      }
      const stats = await queue.stats();
      const now = stats.ready + stats.delayed + stats.inFlight;
      // Every job ends acked, dead, or redriven (carried on by its new job).
      // The dead deque itself, not stats.dead: that also counts a last delivery a sweep has yet to move there.
      if (now === 0 && seen.acked.size + (await queue.deadLetters.length()) + seen.redrivenFrom.size >= seen.pushed.size + seen.redriven.size) break;
      if (now < left) [left, shrankAt] = [now, Date.now()];
      if (Date.now() - shrankAt > DRAIN_STALL_MS) throw new Error(`the queue stopped draining (nothing left it for ${DRAIN_STALL_MS} ms): ${JSON.stringify(stats)}`);
    }
    const elapsedMs = Date.now() - started;
    stopping = true;
    await Promise.all([...children].map((child) => new Promise((resolve) => {
      child.once('exit', resolve);
      // A consumer may be killing itself right now (its channel closes before its exit): it stops either way.
      if (child.connected) child.send('stop', (error) => error && child.kill('SIGKILL'));
    })));
    const dead = (await queue.deadLetters.range(0, -1)) as DeadLetter[];
    const checked = check(seen, dead);
    return {
      title: `queue: ${args.producers} producers + ${args.consumers} consumers × ${args.workers}, leaseMs ${LEASE_MS}, maxDeliveries ${MAX_DELIVERIES}`,
      lines: [
        ['jobs pushed', seen.pushed.size.toLocaleString('en-US')],
        ['acked', seen.acked.size.toLocaleString('en-US')],
        ['jobs/s (push to last ack)', Math.round(seen.acked.size / (elapsedMs / 1000)).toLocaleString('en-US')],
        ['consumer crashes (SIGKILL)', String(crashes)],
        ['redeliveries', `${checked.redeliveries} (${checked.afterCrash} after a crash, ${checked.afterExpiry} after an expired lease)`],
        ['redriven', `${seen.redriven.size} dead letters put back as new jobs`],
        ['dead letters', `${dead.length} (poison jobs pushed: ${[...seen.pushed.values()].filter((job) => job.poison).length})`],
        ['time', `${(elapsedMs / 1000).toFixed(1)} s`],
      ],
      // A worker failure stops the run with jobs still queued: the accounting would list them as lost.
      violations: seen.errors.length > 0 ? [...seen.errors, 'the run stopped at the first worker failure: jobs still queued were not checked'] : checked.violations,
    };
  } finally {
    stopping = true;
    for (const child of children) child.kill('SIGKILL');
    await store.close();
  }
}

function record(seen: Seen, message: QueueWorkerMessage): void {
  for (const [id, n, poison] of message.pushed ?? []) seen.pushed.set(id, { n, poison });
  for (const [id, from] of message.redriven ?? []) {
    seen.redriven.set(id, from);
    seen.redrivenFrom.set(from, (seen.redrivenFrom.get(from) ?? 0) + 1);
  }
  for (const [id, d] of message.acked ?? []) seen.acked.set(id, [...(seen.acked.get(id) ?? []), d]);
  for (const [id, d] of [...(message.expired ?? []), ...(message.abandoned ?? [])]) seen.failed.add(`${id}:${d}`);
  for (const [id, d] of message.held ?? []) seen.crashedHeld.add(`${id}:${d}`);
  if (message.error !== undefined) seen.errors.push(`a worker failed: ${message.error}`);
}

function check(seen: Seen, dead: readonly DeadLetter[]): { violations: string[]; redeliveries: number; afterCrash: number; afterExpiry: number } {
  const problems: string[] = [];
  const add = (problem: string): void => {
    if (problems.length < LISTED) problems.push(problem);
    else if (problems.length === LISTED) problems.push('… (more)');
  };
  const deadIds = new Set(dead.map((letter) => letter.id));
  if (deadIds.size !== dead.length) add('a job is in the dead letters twice');
  let redeliveries = 0;
  let afterCrash = 0;
  let afterExpiry = 0;
  const jobs = new Map<string, { poison: boolean }>(seen.pushed);
  for (const [id, from] of seen.redriven) {
    // A redriven job is its dead letter's job again: poison if that was (redrives may chain).
    let root = from;
    while (seen.redriven.has(root)) root = seen.redriven.get(root)!;
    const pushed = seen.pushed.get(root);
    if (pushed === undefined) add(`redriven job ${id} comes from ${from}, which was never pushed`);
    jobs.set(id, { poison: pushed?.poison ?? false });
  }
  for (const [from, times] of seen.redrivenFrom) {
    if (times > 1) add(`dead letter ${from} was redriven ${times} times`);
    if ((seen.acked.get(from) ?? []).length > 0) add(`job ${from} was redriven though it was acked`);
    if (deadIds.has(from)) add(`job ${from} was redriven yet is still in the dead letters`);
  }
  for (const [id, { poison }] of jobs) {
    const acks = seen.acked.get(id) ?? [];
    if (poison && acks.length > 0) add(`poison job ${id} was acked`);
    if (acks.length > 1) add(`job ${id} was acked ${acks.length} times`);
    if (acks.length === 0 && !deadIds.has(id) && !seen.redrivenFrom.has(id)) add(`job ${id} was lost: never acked, not in the dead letters, not redriven`);
    if (acks.length > 0 && deadIds.has(id)) add(`job ${id} was acked yet is in the dead letters`);
    const last = acks.length === 1 ? acks[0]! : MAX_DELIVERIES;
    for (let d = 2; d <= last; d++) {
      redeliveries++;
      const previous = `${id}:${d - 1}`;
      if (seen.crashedHeld.has(previous)) afterCrash++;
      else if (seen.failed.has(previous)) afterExpiry++;
      else add(`job ${id} was delivered a ${d}th time though delivery ${d - 1} was neither held by a crashed consumer nor expired`);
    }
  }
  for (const letter of dead) {
    if (!jobs.has(letter.id)) add(`dead letter ${letter.id} was never pushed nor redriven`);
    else if (letter.deliveries !== MAX_DELIVERIES) add(`dead letter ${letter.id} has ${letter.deliveries} deliveries, expected ${MAX_DELIVERIES}`);
  }
  for (const id of seen.acked.keys()) if (!jobs.has(id)) add(`acked job ${id} was never pushed nor redriven`);
  return { violations: problems, redeliveries, afterCrash, afterExpiry };
}
