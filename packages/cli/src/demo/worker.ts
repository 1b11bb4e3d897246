/**
 * Entry point of a demo worker process (forked by the orchestrator from
 * dist/demo/worker.js). See messages.ts for the conversation.
 */
import { connect, type Store } from '@mcc/mcas';
import { clientOptionsOf } from '../connection-options';
import { describeError } from '../format';
import type { ParentMessage, WorkerAssignment, WorkerMessage, WorkerResult } from './messages';
import { ROLE_RUNNERS, RoleStats, type LoopControl, type RoleOutput } from './roles';

const PROGRESS_INTERVAL_MS = 250;

/** Sends a message; resolves once it has been written to the channel (so disconnecting after it loses nothing). */
function send(message: WorkerMessage): Promise<void> {
  return new Promise((resolve) => {
    if (process.send === undefined || !process.connected) resolve();
    else process.send(message, undefined, {}, () => resolve());
  });
}

class DemoWorker {
  readonly #assignment: WorkerAssignment;
  readonly #store: Store;
  readonly #control: LoopControl = { stopRequested: false, drainRequested: false };
  readonly #stats = new RoleStats();

  constructor(assignment: WorkerAssignment) {
    this.#assignment = assignment;
    // A generous request timeout: on a loaded 2-core machine a batch may wait behind many others.
    this.#store = connect([...assignment.servers], { connectTimeoutMs: 5000, requestTimeoutMs: 15_000, ...clientOptionsOf(assignment.connection) });
  }

  /** Connects to every server, so `go` starts the clock on a warm client. */
  async prepare(): Promise<void> {
    await this.#store.client.noop();
  }

  async run(): Promise<void> {
    const started = Date.now();
    const ticker = setInterval(() => void send({ type: 'progress', ops: this.#stats.ops, retries: this.#stats.retries }), PROGRESS_INTERVAL_MS);
    let output: RoleOutput;
    try {
      output = await ROLE_RUNNERS[this.#assignment.role](this.#store, this.#assignment, this.#control, this.#stats);
    } finally {
      clearInterval(ticker);
    }
    const metrics = this.#store.client.metrics;
    const result: WorkerResult = {
      role: this.#assignment.role,
      index: this.#assignment.index,
      ops: this.#stats.ops,
      retries: this.#stats.retries,
      writes: metrics.writes,
      requests: metrics.requests,
      elapsedMs: Date.now() - started,
      errors: this.#stats.errors,
      firstErrors: this.#stats.firstErrors,
      ...output,
    };
    await this.#store.close().catch(() => undefined);
    await send({ type: 'progress', ops: this.#stats.ops, retries: this.#stats.retries });
    await send({ type: 'done', result });
  }

  handle(message: ParentMessage): void {
    if (message.type === 'stop') this.#control.stopRequested = true;
    else if (message.type === 'drain') this.#control.drainRequested = true;
  }
}

async function fail(error: unknown): Promise<never> {
  const { code, message } = describeError(error);
  await send({ type: 'failed', error: { code, message } });
  process.exit(1);
}

function main(): void {
  if (process.send === undefined) {
    process.stderr.write('this is a worker of `mcc demo`; run `mcc demo` instead\n');
    process.exit(2);
  }
  // The orchestrator is gone (it crashed or was killed): nothing to report to.
  process.on('disconnect', () => process.exit(0));
  let worker: DemoWorker | undefined;
  process.on('message', (message: ParentMessage) => {
    if (message.type === 'init') {
      worker = new DemoWorker(message.assignment);
      worker.prepare().then(() => send({ type: 'ready' }), fail).catch(() => process.exit(1));
    } else if (message.type === 'go') {
      worker
        ?.run()
        .then(() => process.disconnect?.(), fail)
        .catch(() => process.exit(1));
    } else {
      worker?.handle(message);
    }
  });
}

main();
