import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { MemcachedStartError } from './errors';
import { signalPid } from './pid';
import { clearTimeout, setTimeout, sleep } from './real-timers';
import { TailBuffer } from './tail-buffer';

/**
 * A /bin/sh wrapper that ties memcached's life to ours, even if we are SIGKILLed.
 *
 * The node parent holds the write end of the wrapper's stdin open and never
 * writes to it. When the parent dies for any reason, the kernel closes that
 * end, `read` in the watcher subshell returns, and the watcher SIGKILLs
 * memcached. Meanwhile the main shell `wait`s on memcached so that it is reaped
 * the moment it exits (a zombie would still answer `kill -0`), and exits with
 * memcached's status, so the wrapper's exit event means "memcached is gone".
 *
 * Details that matter:
 * - stdin is saved as fd 3 first: an asynchronous list in a non-interactive
 *   shell gets /dev/null as stdin before its own redirections are applied.
 * - memcached gets /dev/null as stdin/stdout and no fd 3, so it never holds the
 *   watchdog pipe itself; its stderr stays ours for error messages.
 * - the first stdout line is memcached's own pid (`$!`): `cmd &` forks and
 *   execs, so that is the process we signal.
 */
export const WATCHDOG_SCRIPT = [
  'exec 3<&0',
  '"$@" </dev/null >/dev/null 3<&- &',
  'child=$!',
  'echo "$child"',
  '( read _ <&3; kill -9 "$child" 2>/dev/null ) &',
  'watcher=$!',
  'exec 3<&-',
  'wait "$child"',
  'status=$?',
  'kill "$watcher" 2>/dev/null',
  'exit "$status"',
].join('\n');

/** How a watched process ended. */
export interface ExitInfo {
  /** memcached's exit status as reported by the wrapper (128+n for signal n), or null */
  code: number | null;
  /** set only if the wrapper itself was killed by a signal */
  signal: NodeJS.Signals | null;
}

interface Referable {
  ref?(): void;
  unref?(): void;
}

/** A memcached process running under the {@link WATCHDOG_SCRIPT} wrapper. */
export class WatchedProcess {
  #exitInfo: ExitInfo | undefined;

  /**
   * @param child - the wrapper shell
   * @param pid - memcached's own pid
   * @param stderrTail - memcached's recent stderr
   * @param exited - resolves once the wrapper (and therefore memcached) has exited
   * @param closed - resolves once the wrapper's stdio pipes have closed (all output read)
   */
  constructor(
    private readonly child: ChildProcessWithoutNullStreams,
    readonly pid: number,
    private readonly stderrTail: TailBuffer,
    readonly exited: Promise<ExitInfo>,
    private readonly closed: Promise<void>,
  ) {
    void exited.then((info) => {
      this.#exitInfo = info;
    });
  }

  /** true once the wrapper has exited (memcached has been reaped) */
  get hasExited(): boolean {
    return this.#exitInfo !== undefined;
  }

  /** exit details, once exited */
  get exitInfo(): ExitInfo | undefined {
    return this.#exitInfo;
  }

  /** the last few KB of memcached's stderr */
  get stderr(): string {
    return this.stderrTail.toString();
  }

  /**
   * memcached's stderr once it has been read to the end. 'exit' can arrive
   * before the last stderr chunk, and that chunk is usually the one that says
   * why memcached failed; the wait is bounded in case an orphan holds the pipe.
   */
  async finalStderr(): Promise<string> {
    await Promise.race([this.closed, sleep(250)]);
    return this.stderr;
  }

  /** Signals memcached itself (not the wrapper); a no-op once it has exited. */
  signal(signal: NodeJS.Signals): void {
    // After the wrapper exited the pid may be recycled: never signal it then.
    if (!this.hasExited) signalPid(this.pid, signal);
  }

  /** Keep the event loop alive while we wait on this process (startup, stop). */
  ref(): void {
    for (const handle of this.#handles()) handle.ref?.();
  }

  /**
   * Let the process exit even if this server is never stopped; the exit hook
   * and the watchdog then take memcached down.
   */
  unref(): void {
    for (const handle of this.#handles()) handle.unref?.();
  }

  #handles(): Referable[] {
    const { child } = this;
    return [child, child.stdin, child.stdout, child.stderr] as unknown as Referable[];
  }
}

/**
 * Spawns `bin args…` under the watchdog wrapper and waits for it to report
 * memcached's pid. Does not wait for memcached to accept connections.
 *
 * @throws {@link MemcachedStartError} if the wrapper cannot be started or exits first
 */
export async function spawnWatched(bin: string, args: readonly string[], timeoutMs: number, env?: Readonly<Record<string, string>>): Promise<WatchedProcess> {
  const child = spawn('/bin/sh', ['-c', WATCHDOG_SCRIPT, 'mcc-memcached-watchdog', bin, ...args], {
    stdio: ['pipe', 'pipe', 'pipe'],
    ...(env === undefined ? {} : { env: { ...process.env, ...env } }),
  });
  const stderr = new TailBuffer();
  child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
  // The pipe may break when the wrapper exits; that is expected, not an error.
  child.stdin.on('error', () => undefined);

  let spawnError: Error | undefined;
  const exited = new Promise<ExitInfo>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
    child.once('error', (error) => {
      spawnError = error;
      resolve({ code: null, signal: null });
    });
  });
  const closed = new Promise<void>((resolve) => {
    child.once('close', () => resolve());
    child.once('error', () => resolve());
  });
  // Once the wrapper is gone, close our end of the watchdog pipe: if the
  // wrapper was killed on its own, this makes a surviving watcher kill memcached.
  void exited.then(() => child.stdin.destroy());

  const pid = await new Promise<number>((resolve, reject) => {
    let text = '';
    let settled = false;
    const settle = (): boolean => {
      if (settled) return false;
      settled = true;
      clearTimeout(timer);
      child.stdout.off('data', onData);
      return true;
    };
    const fail = (message: string): void => {
      if (!settle()) return;
      // Closing the watchdog pipe is the race-free way to end it all: the
      // watcher kills memcached whenever it gets to run `read`, even if it had
      // not been forked yet. (SIGKILLing the wrapper could orphan memcached.)
      child.stdin.destroy();
      void Promise.race([exited, sleep(2000)]).then(() =>
        reject(new MemcachedStartError(message, { stderr: stderr.toString(), args, cause: spawnError })),
      );
    };
    const onData = (chunk: Buffer): void => {
      text += chunk.toString('utf8');
      const newline = text.indexOf('\n');
      if (newline < 0) return;
      const line = text.slice(0, newline).trim();
      const parsed = Number(line);
      if (!Number.isInteger(parsed) || parsed <= 0) {
        fail(`watchdog wrapper printed an unexpected pid line ${JSON.stringify(line)}`);
      } else if (settle()) {
        resolve(parsed);
      }
    };
    const timer = setTimeout(() => fail(`watchdog wrapper did not report a pid within ${timeoutMs} ms`), timeoutMs);
    child.stdout.on('data', onData);
    void exited.then(async (info) => {
      // 'exit' can overtake the pid line and stderr still in the pipes; read
      // them to the end first, so a fast failure (bad flag, port in use) is
      // reported by the readiness check with memcached's complete stderr.
      await Promise.race([closed, sleep(250)]);
      fail(`memcached exited with code ${info.code} before its wrapper reported the pid`);
    });
  });

  // Drain (and discard) anything else on stdout so the pipe never fills up.
  child.stdout.resume();
  return new WatchedProcess(child, pid, stderr, exited, closed);
}
