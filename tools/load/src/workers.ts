/**
 * Worker processes: each is a compiled script forked with its configuration
 * as one JSON argument, reporting one JSON result over IPC before it exits.
 */
import { fork } from 'node:child_process';

/**
 * Runs `count` copies of `script` with `config` and resolves with their
 * reports, in order.
 *
 * @throws Error when a worker exits without a report or with a non-zero code
 */
export async function runWorkers<Config, Report>(script: string, config: Config, count: number): Promise<Report[]> {
  return Promise.all(
    Array.from(
      { length: count },
      (_, index) =>
        new Promise<Report>((resolve, reject) => {
          const child = fork(script, [JSON.stringify({ ...config, index })], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
          let report: Report | undefined;
          child.on('message', (message) => (report = message as Report));
          child.on('error', reject);
          child.on('exit', (code, signal) => {
            if (report !== undefined && code === 0) resolve(report);
            else reject(new Error(`worker ${index} exited with ${signal ?? `code ${code}`} and ${report === undefined ? 'no report' : JSON.stringify(report)}`));
          });
        }),
    ),
  );
}
