/**
 * The orchestrator's handle on one demo worker process: forks
 * dist/demo/worker.js, relays its messages, and turns an early exit or a
 * reported failure into a rejected promise.
 */
import { fork, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { CliError } from '../cli-error';
import type { ParentMessage, Role, WorkerAssignment, WorkerCounters, WorkerMessage, WorkerResult } from './messages';

/**
 * The compiled worker. Resolved from the package root, so it is found from
 * dist/demo (the CLI) and from src/demo (tests under ts-jest) alike.
 */
export const WORKER_SCRIPT = path.resolve(__dirname, '..', '..', 'dist', 'demo', 'worker.js');

/** Bytes of a worker's stderr kept for reporting. */
const STDERR_TAIL_BYTES = 4096;

export class WorkerProcess {
  readonly role: Role;
  readonly index: number;
  /** Latest counters the worker reported. */
  readonly progress: WorkerCounters = { ops: 0, retries: 0 };
  /** Resolves when the worker is connected and waiting for `go`. */
  readonly ready: Promise<void>;
  /** Resolves with the worker's result. */
  readonly done: Promise<WorkerResult>;
  readonly #child: ChildProcess;
  #stderr = '';

  constructor(assignment: WorkerAssignment) {
    this.role = assignment.role;
    this.index = assignment.index;
    this.#child = fork(WORKER_SCRIPT, [], { serialization: 'advanced', stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    this.#child.stderr?.setEncoding('utf8');
    this.#child.stderr?.on('data', (chunk: string) => {
      this.#stderr = (this.#stderr + chunk).slice(-STDERR_TAIL_BYTES);
    });
    let markReady: () => void = () => undefined;
    let finish: (result: WorkerResult) => void = () => undefined;
    let failReady: (error: Error) => void = () => undefined;
    let failDone: (error: Error) => void = () => undefined;
    this.ready = new Promise<void>((resolve, reject) => {
      markReady = resolve;
      failReady = reject;
    });
    this.done = new Promise<WorkerResult>((resolve, reject) => {
      finish = resolve;
      failDone = reject;
    });
    // Either may be left unawaited when the other rejects first.
    this.ready.catch(() => undefined);
    this.done.catch(() => undefined);
    let settled = false;
    const fail = (error: Error): void => {
      if (settled) return;
      settled = true;
      failReady(error);
      failDone(error);
    };
    this.#child.on('message', (message: WorkerMessage) => {
      switch (message.type) {
        case 'ready':
          markReady();
          break;
        case 'progress':
          this.progress.ops = message.ops;
          this.progress.retries = message.retries;
          break;
        case 'done':
          settled = true;
          finish(message.result);
          break;
        case 'failed':
          fail(new CliError(message.error.code, `demo ${this.name} failed: ${message.error.message}`));
          break;
      }
    });
    this.#child.once('error', (error) => fail(new CliError('MCC_ERR_CLI_DEMO_WORKER', `demo ${this.name} could not run: ${error.message}`)));
    this.#child.once('exit', (code, signal) => {
      // Give a late 'failed' message (sent just before exiting) the chance to arrive first.
      setImmediate(() => {
        const output = this.#stderr.trim() === '' ? '' : `\n${this.#stderr.trimEnd()}`;
        fail(new CliError('MCC_ERR_CLI_DEMO_WORKER', `demo ${this.name} exited early (${signal ?? `code ${code}`})${output}`));
      });
    });
    this.send({ type: 'init', assignment });
  }

  /** e.g. `producer 1`. */
  get name(): string {
    return `${this.role} ${this.index}`;
  }

  /** What the worker wrote to stderr (warnings), last few KB. */
  get stderr(): string {
    return this.#stderr;
  }

  send(message: ParentMessage): void {
    if (this.#child.connected) this.#child.send(message);
  }

  /** Kills the worker if it still runs (SIGKILL: the demo is being torn down). */
  kill(): void {
    if (this.#child.exitCode === null && this.#child.signalCode === null) this.#child.kill('SIGKILL');
  }
}
