/**
 * Registry of memcached processes this process has started and not yet seen
 * exit, plus the process hooks that stop them when we go down.
 *
 * This is the first line of defence; the watchdog wrapper (see watchdog.ts)
 * covers what hooks cannot, such as SIGKILL of the parent. Note that inside
 * jest the `process` object is a per-test-file copy, so these hooks may never
 * fire there; the watchdog still does its job.
 */

/** What the registry needs from a running server. */
export interface LiveProcess {
  /** synchronous, best-effort SIGKILL (used from the 'exit' hook, where nothing async runs) */
  killNow(): void;
  /** graceful stop; resolves when the process has exited */
  stop(): Promise<void>;
  /** SIGKILL; resolves when the process has exited */
  kill(): Promise<void>;
}

const live = new Set<LiveProcess>();
const HANDLED_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM'];
let exitHookInstalled = false;
let signalHooksInstalled = false;

function onExit(): void {
  for (const entry of live) entry.killNow();
}

function onSignal(signal: NodeJS.Signals): void {
  void stopAllLive().finally(() => {
    removeSignalHooks();
    // Re-raise so the process dies of the signal as it would have without us,
    // unless someone else also listens and so owns what happens next.
    if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
  });
}

function installHooks(): void {
  if (!exitHookInstalled) {
    process.on('exit', onExit);
    exitHookInstalled = true;
  }
  if (!signalHooksInstalled) {
    // Signal listeners replace node's default "die on signal"; only hold them
    // while there is something to clean up.
    for (const signal of HANDLED_SIGNALS) process.on(signal, onSignal);
    signalHooksInstalled = true;
  }
}

function removeSignalHooks(): void {
  if (!signalHooksInstalled) return;
  for (const signal of HANDLED_SIGNALS) process.off(signal, onSignal);
  signalHooksInstalled = false;
}

/** Records a started process. */
export function trackLive(entry: LiveProcess): void {
  live.add(entry);
  installHooks();
}

/** Forgets a process that has exited. */
export function untrackLive(entry: LiveProcess): void {
  live.delete(entry);
  if (live.size === 0) removeSignalHooks();
}

/** Stops (or kills) every tracked process, in parallel; never rejects. */
export async function stopAllLive(how: 'stop' | 'kill' = 'stop'): Promise<void> {
  await Promise.allSettled([...live].map((entry) => (how === 'kill' ? entry.kill() : entry.stop())));
}
