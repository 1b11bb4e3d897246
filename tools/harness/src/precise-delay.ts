/**
 * Sub-millisecond delays for the fault proxy (e.g. 0.25 ms per direction, a
 * datacenter round trip). Node's timers have millisecond granularity: a
 * `setTimeout(fn, 0.25)` waits at least 1 ms. Spinning on `setImmediate`
 * would be precise but burns a core for as long as anything is delayed.
 *
 * Instead one helper thread sleeps in `Atomics.wait` (whose timeout is a
 * fractional number of milliseconds) until the earliest pending deadline and
 * then posts one message; the main thread sleeps in its event loop
 * meanwhile, runs every callback that is due, and arms the thread for the
 * next deadline. Accuracy is the thread's wake-up plus one message (tens of
 * µs on an idle machine); the cost is one wake-up per batch of due
 * callbacks, not a spinning loop.
 */
import { Worker } from 'node:worker_threads';
import { setImmediate } from './real-timers';

/**
 * Waking the thread, posting to the main thread and running the callback
 * take about this long (measured here: ~0.1 ms of 0.35 ms for a 0.25 ms
 * delay): callbacks due within it run now, so delays come out close to the
 * asked value on average instead of always longer.
 */
const WAKE_UP_MS = 0.1;

interface Pending {
  readonly due: number;
  readonly run: () => void;
}

/** The thread: state[0] is a generation bumped on every (re)arm; deadline[0] the due time (0 = nothing armed). */
const THREAD_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const state = new Int32Array(workerData.state);
const deadline = new Float64Array(workerData.deadline);
const now = () => { const [s, ns] = process.hrtime(); return s * 1e3 + ns / 1e6; };
for (;;) {
  const generation = Atomics.load(state, 0);
  const due = deadline[0];
  if (due === 0) { Atomics.wait(state, 0, generation); continue; }
  const remaining = due - now();
  if (remaining > 0) { Atomics.wait(state, 0, generation, remaining); continue; }
  parentPort.postMessage(0);
  Atomics.wait(state, 0, generation); // until the main thread arms again
}
`;

function nowMs(): number {
  const [seconds, nanoseconds] = process.hrtime();
  return seconds * 1e3 + nanoseconds / 1e6;
}

class PreciseTimer {
  readonly #state = new Int32Array(new SharedArrayBuffer(4));
  readonly #deadline = new Float64Array(new SharedArrayBuffer(8));
  readonly #queue: Pending[] = [];
  readonly #worker: Worker;

  constructor() {
    this.#worker = new Worker(THREAD_SOURCE, { eval: true, workerData: { state: this.#state.buffer, deadline: this.#deadline.buffer } });
    this.#worker.on('message', () => this.#fire());
    // Never keeps the process alive: pending callbacks belong to sockets, which do.
    this.#worker.unref();
  }

  schedule(ms: number, run: () => void): void {
    const due = nowMs() + ms;
    // Mostly FIFO (one delay per proxy): insert from the back.
    let index = this.#queue.length;
    while (index > 0 && this.#queue[index - 1]!.due > due) index--;
    this.#queue.splice(index, 0, { due, run });
    if (index === 0) this.#arm(due - WAKE_UP_MS);
  }

  #fire(): void {
    const now = nowMs();
    let count = 0;
    while (count < this.#queue.length && this.#queue[count]!.due <= now + WAKE_UP_MS) count++;
    const due = this.#queue.splice(0, count);
    const next = this.#queue[0];
    this.#arm(next === undefined ? 0 : next.due - WAKE_UP_MS);
    // Each in its own immediate, as timers run: microtasks (a proxy lane's
    // end-of-pump) settle between one callback and the next.
    for (const pending of due) setImmediate(pending.run);
  }

  #arm(due: number): void {
    this.#deadline[0] = due;
    Atomics.add(this.#state, 0, 1);
    Atomics.notify(this.#state, 0);
  }
}

let timer: PreciseTimer | undefined;

/**
 * Runs `run` after `ms` milliseconds: a plain timer for whole milliseconds,
 * the helper thread for fractions (started on first use).
 */
export function afterDelay(ms: number, run: () => void, setTimer: (run: () => void, ms: number) => unknown): void {
  if (Number.isInteger(ms)) {
    setTimer(run, ms);
    return;
  }
  timer ??= new PreciseTimer();
  timer.schedule(ms, run);
}
