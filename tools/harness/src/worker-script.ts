/**
 * The one ending of every test worker script (a child process forked by a
 * test, reporting over IPC): run its work, report a failure to the parent
 * as `{ error }` (code and stack, what the parents' runners print) with exit
 * code 1, then clean up and disconnect — the IPC channel would otherwise
 * keep the child alive.
 */

/** Runs `main`, then `cleanup`; see the file comment. */
export function runWorkerScript(main: () => Promise<unknown>, cleanup?: () => unknown): void {
  main()
    .catch((error: { code?: unknown; stack?: unknown }) => {
      if (process.connected) process.send?.({ error: `${String(error?.code ?? '')} ${String(error?.stack ?? error)}` });
      process.exitCode = 1;
    })
    .finally(async () => {
      try {
        await cleanup?.();
      } finally {
        if (process.connected) process.disconnect();
      }
    });
}
