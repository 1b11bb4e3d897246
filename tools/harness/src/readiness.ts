import { MEMCACHED_HOST } from './memcached-args';
import { MemcachedStartError } from './errors';
import { rawTextRequest } from './raw-text-request';
import { Deadline, sleep } from './real-timers';
import type { WatchedProcess } from './watchdog';

/** Pause between readiness probes. */
const POLL_INTERVAL_MS = 20;

/**
 * After this long, a server that answers with a different `STAT pid` is
 * accepted anyway: MCC_MEMCACHED_BIN may be a wrapper whose pid is not
 * memcached's, while a lost port race shows up within milliseconds (memcached
 * exits right after failing to bind).
 */
const PID_MISMATCH_GRACE_MS = 1000;

/**
 * Builds the error for a memcached that exited before it became ready, with
 * its complete stderr (which says e.g. "Address already in use").
 */
export async function exitedBeforeReadyError(proc: WatchedProcess, args: readonly string[]): Promise<MemcachedStartError> {
  const info = await proc.exited;
  const stderr = await proc.finalStderr();
  return new MemcachedStartError(`memcached exited with code ${info.code} before accepting connections`, {
    stderr,
    exitCode: info.code,
    args,
  });
}

/**
 * Waits until the memcached we spawned answers on `port`.
 *
 * Each probe connects and pipelines `version` and `stats`: the `VERSION ` line
 * proves a memcached is listening, and `STAT pid` proves it is *ours*. That
 * matters because freePort() is racy: if another process grabbed the port, a
 * bare `version` probe could succeed against someone else's server just before
 * ours dies with "Address already in use".
 *
 * @throws {@link MemcachedStartError} if the process exits first or `timeoutMs` passes
 */
/** How to ask a server whether it is up; the default speaks plain text over TCP. */
export interface ReadinessProbe {
  readonly payload: string | Buffer;
  readonly until: RegExp;
  /** TLS options for a `-Z` server. */
  readonly tls?: import('node:tls').ConnectionOptions;
  /** Whether the reply comes from a memcached. */
  accepts(reply: string): boolean;
  /** The pid the reply reports, or undefined when the probe cannot tell (a SASL server tells nothing unauthenticated). */
  pidOf(reply: string): number | undefined;
}

export const TEXT_PROBE: ReadinessProbe = {
  payload: 'version\r\nstats\r\n',
  until: /^END\r\n/m,
  accepts: (reply) => reply.startsWith('VERSION '),
  pidOf: (reply) => Number(/^STAT pid (\d+)\r$/m.exec(reply)?.[1]),
};

export async function waitUntilReady(
  proc: WatchedProcess,
  port: number,
  timeoutMs: number,
  args: readonly string[],
  probeWith: ReadinessProbe = TEXT_PROBE,
): Promise<void> {
  const deadline = new Deadline(timeoutMs);
  const pidGrace = new Deadline(PID_MISMATCH_GRACE_MS);
  try {
    for (;;) {
      if (proc.hasExited) throw await exitedBeforeReadyError(proc, args);
      const probe = rawTextRequest({ host: MEMCACHED_HOST, port }, probeWith.payload, {
        until: probeWith.until,
        timeoutMs: Math.min(1000, timeoutMs),
        ...(probeWith.tls === undefined ? {} : { tls: probeWith.tls }),
      }).catch(() => undefined);
      // Don't sit out a probe stuck on someone else's listener once ours has died.
      const reply = await Promise.race([probe, proc.exited.then(() => undefined)]);
      if (proc.hasExited) throw await exitedBeforeReadyError(proc, args);
      if (reply !== undefined && probeWith.accepts(reply)) {
        const reportedPid = probeWith.pidOf(reply);
        if (reportedPid === undefined || reportedPid === proc.pid || pidGrace.expired) return;
      }
      if (deadline.expired) {
        throw new MemcachedStartError(`memcached did not answer on ${MEMCACHED_HOST}:${port} within ${timeoutMs} ms`, {
          stderr: proc.stderr,
          args,
        });
      }
      await sleep(POLL_INTERVAL_MS);
    }
  } finally {
    deadline.cancel();
    pidGrace.cancel();
  }
}
