import { Deadline, sleep } from './real-timers';

/**
 * True if a process with this pid exists (signal 0 probes without signalling).
 * EPERM means it exists but belongs to someone else.
 */
export function isPidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Sends a signal, ignoring "no such process" (it already exited, which is what we wanted). */
export function signalPid(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

/**
 * Polls until `pid` no longer exists.
 *
 * @throws Error if it still exists after `timeoutMs`
 */
export async function waitForPidExit(pid: number, timeoutMs = 5000): Promise<void> {
  const deadline = new Deadline(timeoutMs);
  try {
    while (isPidAlive(pid)) {
      if (deadline.expired) throw new Error(`process ${pid} still exists after ${timeoutMs} ms`);
      await sleep(10);
    }
  } finally {
    deadline.cancel();
  }
}
