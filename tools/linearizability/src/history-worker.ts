/**
 * Runs one child process that records a history (a test's fixture script
 * using HistoryRecorder) and resolves with the message it sent before
 * exiting: its operations, recorder stats, the errors it could not classify,
 * and whatever else that kind of worker reports. A worker that exits with
 * an error code, or without a history, rejects with its own error message.
 */
import { fork } from 'node:child_process';
import type { HistoryOperation, RecorderStats } from './history';

export interface HistoryWorkerMessage<Op extends HistoryOperation<unknown, unknown>> {
  readonly operations?: Op[];
  readonly stats?: RecorderStats;
  /** Errors the worker's outcome classification did not expect. */
  readonly unexpected?: string[];
  readonly error?: string;
}

/** Forks `script` with `config` as its one (JSON) argument; see the file comment. */
export function runHistoryWorker<M extends HistoryWorkerMessage<HistoryOperation<unknown, unknown>>>(script: string, config: object): Promise<M> {
  return new Promise((resolve, reject) => {
    const child = fork(script, [JSON.stringify(config)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let message: M | undefined;
    child.on('message', (received: M) => (message = received));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (message?.operations !== undefined && code === 0) resolve(message);
      else reject(new Error(`worker exited with ${code}: ${message?.error ?? 'no history'}`));
    });
  });
}
