/**
 * One worker process of `pnpm load deque`, a producer or a consumer, with
 * `loops` concurrent async loops on one deque (calls from the loops of one
 * process are combined by the deque into shared anchor CASes).
 *
 * - A producer loop appends `{ p, i, pad }` until the deadline: `p` names the
 *   loop (process index × loops + loop), `i` counts 0, 1, 2, … and `pad` is a
 *   string derived from both, so a consumer can check the value whole. A loop
 *   stops only between appends, so every append it reports was acknowledged.
 * - A consumer loop pops from the left and records `p, i` of every value in
 *   the order it got them. It stops when a pop issued after the "producers
 *   done" flag was seen finds the deque empty: nothing can arrive after that.
 *   While the deque is empty and producers may still be running it backs off
 *   (1 ms doubling to 16 ms).
 */
import { connect, Deque, type Store } from '@mcc/deque';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';

export interface DequeWorkerConfig {
  role: 'producer' | 'consumer';
  servers: string[];
  /** The deque's name (created by the parent). */
  name: string;
  /** A key the parent sets once every producer has exited. */
  doneKey: string;
  loops: number;
  /** Length of each value's `pad` string. */
  padLength: number;
  /** Epoch milliseconds at which the loops start (every process connected by then). */
  startAt: number;
  /** Epoch milliseconds at which producers stop starting appends. */
  deadline: number;
  /** Epoch milliseconds after which a consumer that never saw the done flag gives up (an error). */
  giveUpAt: number;
  index: number;
}

interface CommonReport {
  /** Wire counters of this process's client over its run (from the start signal to the end). */
  requests: number;
  writes: number;
  /** Anchor CASes this process sent and lost (the deque's own counters). */
  casAttempts: number;
  casFailures: number;
  /** Microseconds per operation: sum and maximum. */
  latencyMicrosTotal: number;
  latencyMicrosMax: number;
  /** Epoch milliseconds at which the last loop ended. */
  finishedAt: number;
  /** Unexpected errors (each a violation), as messages; at most 20 kept. */
  errors: string[];
  /** Number of errors, including those not kept. */
  errorCount: number;
}

export interface ProducerReport extends CommonReport {
  role: 'producer';
  /** Per loop: how many values it appended (i = 0 … count − 1). */
  pushed: number[];
}

export interface ConsumerReport extends CommonReport {
  role: 'consumer';
  /** Per loop: `p, i` of every value it popped, flattened, in pop order. */
  popped: number[][];
  /** Pops that found the deque empty. */
  emptyPops: number;
}

export type DequeWorkerReport = ProducerReport | ConsumerReport;

export interface LoadValue {
  p: number;
  i: number;
  pad: string;
}

const MAX_KEPT_ERRORS = 20;

/** The pads by letter: value `(p, i)` has the letter `(7p + i) mod 26`, repeated. */
function padsOf(length: number): string[] {
  return Array.from({ length: 26 }, (_, letter) => String.fromCharCode(97 + letter).repeat(length));
}
const MAX_IDLE_DELAY_MS = 16;

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

async function runProducer(config: DequeWorkerConfig, deque: Deque<LoadValue>, report: ProducerReport, fail: (message: string) => void): Promise<void> {
  const pads = padsOf(config.padLength);
  const loop = async (loop: number): Promise<void> => {
    const p = config.index * config.loops + loop;
    let i = 0;
    while (Date.now() < config.deadline && report.errorCount === 0) {
      const started = performance.now();
      try {
        await deque.append({ p, i, pad: pads[(p * 7 + i) % 26]! });
      } catch (error) {
        // Not acknowledged: whether it landed is unknown to this loop, so the run fails.
        fail(`producer loop ${p}: append of i=${i}: ${describe(error)}`);
        return;
      }
      record(report, performance.now() - started);
      report.pushed[loop] = ++i;
    }
  };
  await Promise.all(Array.from({ length: config.loops }, (_, index) => loop(index)));
}

async function runConsumer(config: DequeWorkerConfig, store: Store, deque: Deque<LoadValue>, report: ConsumerReport, fail: (message: string) => void): Promise<void> {
  const pads = padsOf(config.padLength);
  // Shared by the process's loops: once one loop saw the flag, a pop any loop issues afterwards and finds empty ends it.
  let producersDone = false;
  let doneRead: Promise<boolean> | null = null;
  const readDone = (): Promise<boolean> =>
    (doneRead ??= store.get(config.doneKey).then(
      (entry) => {
        doneRead = null;
        if (entry !== null) producersDone = true;
        return producersDone;
      },
      (error: unknown) => {
        doneRead = null;
        throw error;
      },
    ));
  const loop = async (loop: number): Promise<void> => {
    const popped = report.popped[loop]!;
    let delay = 1;
    for (;;) {
      const doneBefore = producersDone;
      const started = performance.now();
      let value: LoadValue | undefined;
      try {
        value = await deque.popLeft();
      } catch (error) {
        fail(`consumer ${config.index} loop ${loop}: popLeft: ${describe(error)}`);
        return;
      }
      if (value !== undefined) {
        record(report, performance.now() - started);
        delay = 1;
        const { p, i, pad } = value as Partial<LoadValue>;
        if (typeof p !== 'number' || typeof i !== 'number' || !Number.isInteger(p) || !Number.isInteger(i) || p < 0 || i < 0) {
          fail(`consumer ${config.index} loop ${loop}: popped a malformed value ${JSON.stringify(value).slice(0, 120)}`);
          continue;
        }
        if (pad !== pads[(p * 7 + i) % 26]) fail(`consumer ${config.index} loop ${loop}: value p=${p} i=${i} has a wrong pad (${typeof pad === 'string' ? `${pad.length} chars` : typeof pad})`);
        popped.push(p, i);
        continue;
      }
      report.emptyPops++;
      if (doneBefore) return; // empty, and no producer can append any more
      let done: boolean;
      try {
        done = await readDone();
      } catch (error) {
        fail(`consumer ${config.index} loop ${loop}: reading the done flag: ${describe(error)}`);
        return;
      }
      if (done) continue; // one more pop decides
      if (Date.now() > config.giveUpAt) {
        fail(`consumer ${config.index} loop ${loop}: gave up: the producers' done flag never appeared`);
        return;
      }
      await sleep(delay);
      delay = Math.min(delay * 2, MAX_IDLE_DELAY_MS);
    }
  };
  await Promise.all(Array.from({ length: config.loops }, (_, index) => loop(index)));
}

function record(report: CommonReport, milliseconds: number): void {
  const micros = milliseconds * 1000;
  report.latencyMicrosTotal += micros;
  if (micros > report.latencyMicrosMax) report.latencyMicrosMax = micros;
}

async function run(config: DequeWorkerConfig): Promise<DequeWorkerReport> {
  const store = connect(config.servers);
  const common: CommonReport = { requests: 0, writes: 0, casAttempts: 0, casFailures: 0, latencyMicrosTotal: 0, latencyMicrosMax: 0, finishedAt: 0, errors: [], errorCount: 0 };
  const report: DequeWorkerReport =
    config.role === 'producer'
      ? { ...common, role: 'producer', pushed: new Array<number>(config.loops).fill(0) }
      : { ...common, role: 'consumer', popped: Array.from({ length: config.loops }, () => []), emptyPops: 0 };
  const fail = (message: string): void => {
    if (report.errorCount++ < MAX_KEPT_ERRORS) report.errors.push(message);
  };
  try {
    await store.client.version(); // connected to every server before the clock starts
    const deque = Deque.bind<LoadValue>(store, config.name);
    await sleep(Math.max(0, config.startAt - Date.now()));
    const before = { ...store.client.metrics };
    const statsBefore = deque.stats;
    if (report.role === 'producer') await runProducer(config, deque, report, fail);
    else await runConsumer(config, store, deque, report, fail);
    report.finishedAt = Date.now();
    report.requests = store.client.metrics.requests - before.requests;
    report.writes = store.client.metrics.writes - before.writes;
    report.casAttempts = deque.stats.casAttempts - statsBefore.casAttempts;
    report.casFailures = deque.stats.casFailures - statsBefore.casFailures;
  } finally {
    await store.close();
  }
  return report;
}

if (require.main === module) {
  const config = JSON.parse(process.argv[2] ?? '{}') as DequeWorkerConfig;
  process.once('disconnect', () => process.exit(1)); // the parent is gone (a consumer would otherwise wait for its flag)
  void run(config).then(
    (report) => process.send?.(report, () => process.exit(0)),
    (error: unknown) => {
      process.stderr.write(`load deque ${config.role} ${config.index}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exit(1);
    },
  );
}
