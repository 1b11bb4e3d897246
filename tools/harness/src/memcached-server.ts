import { MemcachedStartError } from './errors';
import { findMemcached } from './find-memcached';
import { freePort } from './free-port';
import { type LiveProcess, stopAllLive, trackLive, untrackLive } from './live-registry';
import { MEMCACHED_HOST, type MemcachedOptions, buildMemcachedArgs, validateMemcachedOptions } from './memcached-args';
import { waitForPidExit } from './pid';
import { type ReadinessProbe, TEXT_PROBE, waitUntilReady } from './readiness';
import { authFileProbe, writeAuthFile } from './auth-file';
import { SASL_LIST_MECHANISMS, saslEnvironment } from './sasl-database';
import { testCertificates } from './test-certificates';
import { clearTimeout, setTimeout, sleep } from './real-timers';
import { type WatchedProcess, spawnWatched } from './watchdog';

/** A memcached process started by {@link startMemcached}. */
export interface MemcachedServer {
  /** always '127.0.0.1' */
  readonly host: string;
  readonly port: number;
  /** '127.0.0.1:PORT' */
  readonly address: string;
  /** pid of the current memcached process (memcached itself, not a wrapper); undefined when not running */
  readonly pid: number | undefined;
  readonly running: boolean;
  /** memcached's command-line arguments */
  readonly args: readonly string[];
  /** Graceful stop (SIGTERM, then SIGKILL after 2 s); idempotent; resolves when the process has exited. */
  stop(): Promise<void>;
  /** Abrupt SIGKILL, resolves when exited (simulates a crash). */
  kill(): Promise<void>;
  /**
   * Starts a fresh process with the same flags on the same port (stopping the
   * current one first if it is running) and waits until it is ready. Memory is
   * empty afterwards, like a real restart.
   */
  restart(): Promise<void>;
}

const DEFAULT_START_TIMEOUT_MS = 10_000;
/** Attempts with a fresh port when memcached loses the race for the port freePort() returned. */
const START_ATTEMPTS = 5;
/** Attempts on the same port for restart(); it is ours, so only a transient conflict is plausible. */
const RESTART_ATTEMPTS = 3;
/** SIGTERM grace period before stop() escalates to SIGKILL. */
const STOP_GRACE_MS = 2000;

/**
 * Ports handed to servers of this process, never reused for a new server: a
 * stopped server may restart() on its port, and two parallel starts in one
 * process must not both be given the same port by freePort().
 */
const claimedPorts = new Set<number>();

async function claimFreePort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = await freePort();
    if (!claimedPorts.has(port)) {
      claimedPorts.add(port);
      return port;
    }
  }
  throw new Error('could not find an unclaimed free port');
}

/**
 * Ends a watched memcached with `signal` (SIGTERM escalates to SIGKILL after
 * {@link STOP_GRACE_MS}) and resolves only once its pid is really gone.
 */
async function endProcess(proc: WatchedProcess, signal: 'SIGTERM' | 'SIGKILL'): Promise<void> {
  if (!proc.hasExited) {
    // The process may have been unref'ed; make sure we stay alive to see it exit.
    proc.ref();
    proc.signal(signal);
    const escalation =
      signal === 'SIGTERM' ? setTimeout(() => proc.signal('SIGKILL'), STOP_GRACE_MS) : undefined;
    try {
      await proc.exited;
    } finally {
      if (escalation) clearTimeout(escalation);
    }
  }
  // The wrapper reaps memcached before it exits, so this is normally immediate;
  // it guards against a wrapper that was killed on its own, orphaning memcached.
  await waitForPidExit(proc.pid);
}

/** Registers a process with the live registry until it exits. */
function track(proc: WatchedProcess): void {
  const entry: LiveProcess = {
    killNow: () => proc.signal('SIGKILL'),
    stop: () => endProcess(proc, 'SIGTERM'),
    kill: () => endProcess(proc, 'SIGKILL'),
  };
  trackLive(entry);
  void proc.exited.then(() => untrackLive(entry));
}

class ManagedMemcached implements MemcachedServer {
  readonly host = MEMCACHED_HOST;
  #port: number;
  #args: readonly string[] = [];
  #proc: WatchedProcess | undefined;
  /** the in-flight start/restart, so stop()/kill() can wait for it */
  #starting: Promise<void> | undefined;
  #stopping: Promise<void> | undefined;

  constructor(
    private readonly bin: string,
    private readonly options: MemcachedOptions,
  ) {
    this.#port = options.port ?? 0;
  }

  get port(): number {
    return this.#port;
  }

  get address(): string {
    return `${this.host}:${this.#port}`;
  }

  get running(): boolean {
    return this.#proc !== undefined && !this.#proc.hasExited;
  }

  get pid(): number | undefined {
    return this.running ? this.#proc?.pid : undefined;
  }

  get args(): readonly string[] {
    return this.#args;
  }

  /** First start: a fixed port is tried once, a free port up to START_ATTEMPTS times. */
  async start(): Promise<void> {
    const fixedPort = this.options.port;
    await this.#serialize(async () => {
      for (let attempt = 1; ; attempt++) {
        const port = fixedPort ?? (await claimFreePort());
        try {
          await this.#launch(port);
          return;
        } catch (error) {
          const retry = fixedPort === undefined && attempt < START_ATTEMPTS && isAddressInUse(error);
          if (!retry) throw error;
        }
      }
    });
  }

  stop(): Promise<void> {
    this.#stopping ??= this.#end('SIGTERM').finally(() => {
      this.#stopping = undefined;
    });
    return this.#stopping;
  }

  kill(): Promise<void> {
    return this.#end('SIGKILL');
  }

  restart(): Promise<void> {
    return this.#serialize(async () => {
      if (this.#proc) await endProcess(this.#proc, 'SIGTERM');
      for (let attempt = 1; ; attempt++) {
        try {
          await this.#launch(this.#port);
          return;
        } catch (error) {
          if (attempt >= RESTART_ATTEMPTS || !isAddressInUse(error)) throw error;
          await sleep(100);
        }
      }
    });
  }

  async #end(signal: 'SIGTERM' | 'SIGKILL'): Promise<void> {
    // Let a start/restart in flight finish first, so we stop what it started.
    await this.#starting?.catch(() => undefined);
    if (this.#proc) await endProcess(this.#proc, signal);
  }

  /** Runs start/restart one at a time. */
  #serialize(task: () => Promise<void>): Promise<void> {
    const previous = this.#starting?.catch(() => undefined) ?? Promise.resolve();
    const run = previous.then(task);
    this.#starting = run;
    void run
      .catch(() => undefined)
      .finally(() => {
        if (this.#starting === run) this.#starting = undefined;
      });
    return run;
  }

  /** How readiness is asked: over TLS for a -Z server; with the one request a -S server answers unauthenticated. */
  #probe(certificates: ReturnType<typeof testCertificates> | undefined): ReadinessProbe {
    const tls = certificates === undefined ? {} : { tls: this.options.tls === 'mutual'
      ? { ca: certificates.ca, cert: certificates.clientCert, key: certificates.clientKey }
      : { ca: certificates.ca } };
    if (this.options.authFile !== undefined) return { ...authFileProbe(this.options.authFile), ...tls };
    if (this.options.sasl === undefined) return { ...TEXT_PROBE, ...tls };
    return { payload: SASL_LIST_MECHANISMS, until: /PLAIN/, accepts: (reply) => reply.includes('PLAIN'), pidOf: () => undefined, ...tls };
  }

  /** Environment of a SASL server (its private sasldb), made once and kept across restarts. */
  #environment: Record<string, string> | undefined;

  /** The authfile of a -Y server, made once and kept across restarts. */
  #authFilePath: string | undefined;

  /** Spawns memcached on `port` and waits until it answers; kills it again if it does not. */
  async #launch(port: number): Promise<void> {
    const certificates = this.options.tls ? testCertificates() : undefined;
    if (this.options.authFile !== undefined) this.#authFilePath ??= writeAuthFile(this.options.authFile);
    const args = buildMemcachedArgs(port, this.options, undefined, certificates, this.#authFilePath);
    const timeoutMs = this.options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS;
    if (this.options.sasl !== undefined) this.#environment ??= saslEnvironment(this.options.sasl);
    const proc = await spawnWatched(this.bin, args, timeoutMs, this.#environment);
    track(proc);
    try {
      await waitUntilReady(proc, port, timeoutMs, args, this.#probe(certificates));
    } catch (error) {
      await endProcess(proc, 'SIGKILL').catch(() => undefined);
      throw error;
    }
    this.#port = port;
    this.#args = Object.freeze([...args]);
    this.#proc = proc;
    // A forgotten server must not keep the test process alive; the exit hook
    // and the watchdog take it down when we exit.
    proc.unref();
  }
}

function isAddressInUse(error: unknown): boolean {
  return error instanceof MemcachedStartError && error.addressInUse;
}

/**
 * Starts a memcached on 127.0.0.1 (a free port unless `options.port` is given)
 * and resolves once it answers `version`.
 *
 * The process runs under a watchdog wrapper, so it dies with this process even
 * if this process is SIGKILLed. Its stdout/stderr never reach the test output.
 *
 * @throws {@link MemcachedNotInstalledError} if there is no memcached binary
 * @throws {@link MemcachedStartError} if it exits or does not answer within `startTimeoutMs`
 */
export async function startMemcached(options: MemcachedOptions = {}): Promise<MemcachedServer> {
  validateMemcachedOptions(options);
  const server = new ManagedMemcached(findMemcached(), { ...options });
  await server.start();
  return server;
}

/**
 * Stops every memcached this process started and that is still running
 * (gracefully, like {@link MemcachedServer.stop}); never rejects.
 */
export function stopAllMemcached(): Promise<void> {
  return stopAllLive('stop');
}

/**
 * SIGKILLs every memcached this process started and that is still running;
 * never rejects.
 *
 * The fast way to clean up after tests: memcached only acts on SIGTERM at its
 * next once-a-second clock tick, so a graceful stop costs up to a second,
 * while test data is disposable anyway.
 */
export function killAllMemcached(): Promise<void> {
  return stopAllLive('kill');
}
