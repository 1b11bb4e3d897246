/**
 * `pnpm load deque`: the original deque_load_test, automated and verified.
 *
 * `--producers` processes × `--concurrency` loops append `{ p, i, pad }`
 * values (about `--value-size` bytes encoded) to one fresh deque for
 * `--seconds`; `--consumers` processes × `--concurrency` loops pop from the
 * left until the producers are done and the deque is drained (see
 * deque-worker.ts). Then the parent checks:
 *
 * - every acknowledged append was popped exactly once (nothing lost, nothing
 *   duplicated, nothing popped that was never appended);
 * - within each consumer loop, the values of each producer loop came in the
 *   order that loop appended them (FIFO: a producer loop's appends are
 *   sequential, and so are a consumer loop's pops);
 * - every value came back whole (the consumers check each pad);
 * - the deque ends empty, and `inspectDeque` finds nothing wrong with it;
 * - no worker met an unexpected error.
 *
 * Throughput is pushes + pops over the whole run, from the common start to
 * the moment the last consumer found the deque drained; round trips are the
 * workers' socket writes (`client.metrics.writes`, one per flush to one
 * server) per operation.
 */
import { connect, Deque, inspectDeque } from '@mcc/deque';
import * as path from 'node:path';
import type { LoadArgs } from './cli-args';
import type { ConsumerReport, DequeWorkerConfig, LoadValue, ProducerReport } from './deque-worker';
import type { LoadReport } from './report';
import { runWorkers } from './workers';

const WORKER_SCRIPT = path.join(__dirname, 'deque-worker.js');
/** Time the processes get to start and connect before the clock starts (they wait for it). */
const STARTUP_MS = 1000;
/** How often the parent samples the deque's length (the backlog). */
const SAMPLE_MS = 200;
/** A consumer that has not seen the producers' done flag this long after the deadline fails. */
const GIVE_UP_AFTER_MS = 120_000;
/** Violations of one kind listed before the rest are only counted. */
const LISTED = 10;

type WorkerConfig = Omit<DequeWorkerConfig, 'index'>;

/** The `pad` length that makes `{ p, i, pad }` about `bytes` long once encoded. */
function padLengthFor(encode: (value: unknown) => Uint8Array, bytes: number): { padLength: number; encodedBytes: number } {
  const sample = (padLength: number): number => encode({ p: 99, i: 99_999, pad: 'x'.repeat(padLength) } satisfies LoadValue).length;
  let padLength = Math.max(0, bytes - sample(0));
  // A longer string may need a longer length header: step back until it fits.
  while (padLength > 0 && sample(padLength) > bytes) padLength--;
  return { padLength, encodedBytes: sample(padLength) };
}

function rate(count: number, milliseconds: number): string {
  return milliseconds <= 0 ? '–' : Math.round(count / (milliseconds / 1000)).toLocaleString('en-US');
}

function perOp(total: number, operations: number): string {
  return operations === 0 ? '–' : (total / operations).toFixed(2);
}

function mean(reports: readonly (ProducerReport | ConsumerReport)[], operations: number): string {
  const micros = reports.reduce((sum, report) => sum + report.latencyMicrosTotal, 0);
  const max = Math.max(0, ...reports.map((report) => report.latencyMicrosMax));
  return `mean ${operations === 0 ? '–' : (micros / operations / 1000).toFixed(2)} ms, max ${(max / 1000).toFixed(1)} ms`;
}

/** Collects violations of one kind: the first few verbatim, then a count. */
class Tally {
  readonly #listed: string[] = [];
  #count = 0;
  constructor(readonly kind: string) {}
  add(detail: string): void {
    if (this.#count++ < LISTED) this.#listed.push(detail);
  }
  get count(): number {
    return this.#count;
  }
  report(into: string[]): void {
    if (this.#count === 0) return;
    into.push(`${this.#count} ${this.kind}: ${this.#listed.join('; ')}${this.#count > LISTED ? '; …' : ''}`);
  }
}

export async function runDequeLoad(args: LoadArgs, servers: readonly string[], progress: (message: string) => void): Promise<LoadReport> {
  const store = connect([...servers]);
  const loops = args.workers;
  try {
    const id = `${Date.now().toString(36)}-${process.pid}`;
    const deque = await Deque.create<LoadValue>(store, `load-deque-${id}`);
    const doneKey = `load:deque:${id}:producers-done`;
    const { padLength, encodedBytes } = padLengthFor((value) => store.codec.encode(value), args.valueSize);
    progress(
      `${args.producers} producer + ${args.consumers} consumer processes × ${loops} loops, ${encodedBytes} B values, ${args.seconds} s on ${servers.join(', ')} (deque ${deque.name})`,
    );

    const startAt = Date.now() + STARTUP_MS;
    const deadline = startAt + args.seconds * 1000;
    const common = { servers: [...servers], name: deque.name, doneKey, loops, padLength, startAt, deadline, giveUpAt: deadline + GIVE_UP_AFTER_MS };

    let peakBacklog = 0;
    let samplerFailure: string | null = null;
    const sampler = setInterval(() => {
      if (Date.now() < startAt) return;
      deque.length().then(
        (length) => (peakBacklog = Math.max(peakBacklog, length)),
        (error: unknown) => (samplerFailure ??= String(error)),
      );
    }, SAMPLE_MS);

    // The flag goes up once every producer has exited (or failed): only then can the consumers stop.
    const producing = runWorkers<WorkerConfig, ProducerReport>(WORKER_SCRIPT, { ...common, role: 'producer' }, args.producers).finally(() =>
      store.set(doneKey, Date.now()).catch(() => undefined),
    );
    const consuming = runWorkers<WorkerConfig, ConsumerReport>(WORKER_SCRIPT, { ...common, role: 'consumer' }, args.consumers);
    const [produced, consumed] = await Promise.allSettled([producing, consuming]);
    clearInterval(sampler);
    if (produced.status === 'rejected') throw produced.reason;
    if (consumed.status === 'rejected') throw consumed.reason;
    const producers = produced.value;
    const consumers = consumed.value;
    const endAt = Math.max(...consumers.map((report) => report.finishedAt));
    const pushEndAt = Math.max(deadline, ...producers.map((report) => report.finishedAt));

    const violations: string[] = [];
    for (const [role, reports] of [['producer', producers], ['consumer', consumers]] as const) {
      reports.forEach((report, index) => {
        for (const error of report.errors) violations.push(`${role} ${index}: ${error}`);
        if (report.errorCount > report.errors.length) violations.push(`${role} ${index}: ${report.errorCount - report.errors.length} more error(s)`);
      });
    }

    // Exactly once, and in order per producer loop within each consumer loop.
    const pushedPerLoop = producers.flatMap((report) => report.pushed); // index = p
    const seen = pushedPerLoop.map((count) => new Uint8Array(count));
    const duplicates = new Tally('value(s) popped more than once');
    const phantoms = new Tally('value(s) popped that were never acknowledged as appended');
    const disorder = new Tally('value(s) popped out of their producer loop’s order');
    let popped = 0;
    consumers.forEach((report, consumer) => {
      report.popped.forEach((pairs, loop) => {
        const last = new Map<number, number>();
        for (let k = 0; k < pairs.length; k += 2) {
          const p = pairs[k]!;
          const i = pairs[k + 1]!;
          popped++;
          const marks = seen[p];
          if (marks === undefined || i >= marks.length) phantoms.add(`p=${p} i=${i} (consumer ${consumer} loop ${loop})`);
          else if (marks[i]!++ > 0) duplicates.add(`p=${p} i=${i}`);
          const previous = last.get(p);
          if (previous !== undefined && i <= previous) disorder.add(`consumer ${consumer} loop ${loop} got p=${p} i=${i} after i=${previous}`);
          last.set(p, i);
        }
      });
    });
    const lost = new Tally('appended value(s) never popped (lost)');
    seen.forEach((marks, p) => marks.forEach((count, i) => count === 0 && lost.add(`p=${p} i=${i}`)));
    for (const tally of [lost, duplicates, phantoms, disorder]) tally.report(violations);

    const pushed = pushedPerLoop.reduce((sum, count) => sum + count, 0);
    const remaining = await deque.length();
    if (remaining !== 0) violations.push(`the deque still holds ${remaining} value(s) after the consumers drained it`);
    const inspection = await inspectDeque(store, deque.name);
    for (const problem of inspection.problems.slice(0, LISTED)) violations.push(`inspectDeque: ${problem.key}: ${problem.problem}`);
    if (inspection.counted !== 0) violations.push(`inspectDeque counted ${inspection.counted} value(s) in the drained deque`);
    if (samplerFailure !== null) violations.push(`sampling the length failed: ${samplerFailure}`);
    if (violations.length === 0) await Promise.allSettled([deque.destroy(), store.delete(doneKey)]);

    const operations = pushed + popped;
    const elapsedMs = endAt - startAt;
    const pushWrites = producers.reduce((sum, report) => sum + report.writes, 0);
    const popWrites = consumers.reduce((sum, report) => sum + report.writes, 0);
    const emptyPops = consumers.reduce((sum, report) => sum + report.emptyPops, 0);
    const casAttempts = [...producers, ...consumers].reduce((sum, report) => sum + report.casAttempts, 0);
    const casFailures = [...producers, ...consumers].reduce((sum, report) => sum + report.casFailures, 0);
    return {
      title: `deque: ${args.producers} producer + ${args.consumers} consumer processes × ${loops} loops, ${encodedBytes} B values, ${args.seconds} s, ${servers.length} server(s)`,
      lines: [
        ['appended', String(pushed)],
        ['popped', `${popped} (+ ${emptyPops} pops of an empty deque)`],
        ['ops/s (pushes + pops)', `${rate(operations, elapsedMs)} over ${(elapsedMs / 1000).toFixed(2)} s, start to drained`],
        ['pushes/s', `${rate(pushed, pushEndAt - startAt)} while producing`],
        ['round trips per op', `${perOp(pushWrites + popWrites, operations)} (socket writes: ${perOp(pushWrites, pushed)} per push, ${perOp(popWrites, popped)} per pop, empty pops included)`],
        ['anchor CASes lost', `${casFailures} of ${casAttempts} (${perOp(casFailures, operations)} per op)`],
        ['latency per push', mean(producers, pushed)],
        ['latency per pop', mean(consumers, popped)],
        ['peak backlog (sampled length)', String(peakBacklog)],
        ['invariants checked', `each of ${pushed} values popped exactly once, per-producer order in each of ${args.consumers * loops} consumer loops, deque empty at the end`],
      ],
      violations,
    };
  } finally {
    await store.close();
  }
}
