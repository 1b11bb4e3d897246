/**
 * Errors thrown by the harness. Each carries a stable `code` so callers (and
 * other packages' tests) can branch on it without matching message text.
 */

/** How to get a memcached binary onto this machine; part of the error message. */
const INSTALL_HINT =
  'Install memcached (Debian/Ubuntu: `apt-get install -y memcached`; macOS: `brew install memcached`) ' +
  'or set MCC_MEMCACHED_BIN to the path of a memcached binary.';

/** Thrown by {@link findMemcached} (and everything that starts servers) when no memcached binary can be found. */
export class MemcachedNotInstalledError extends Error {
  readonly code = 'MCC_ERR_MEMCACHED_NOT_INSTALLED' as const;

  /** @param detail - what was looked for and where */
  constructor(detail: string) {
    super(`memcached not found: ${detail}. ${INSTALL_HINT}`);
    this.name = 'MemcachedNotInstalledError';
  }
}

/** Details attached to a {@link MemcachedStartError}. */
export interface MemcachedStartErrorDetails {
  /** the last few KB of memcached's stderr */
  stderr?: string;
  /** memcached's exit code, if it exited */
  exitCode?: number | null;
  /** the arguments memcached was started with */
  args?: readonly string[];
  /** the underlying error, if any */
  cause?: unknown;
}

/** Thrown when a memcached process could not be started or did not become ready in time. */
export class MemcachedStartError extends Error {
  readonly code = 'MCC_ERR_MEMCACHED_START' as const;
  /** the last few KB of memcached's stderr ('' if it printed nothing) */
  readonly stderr: string;
  /** memcached's exit code if it exited before becoming ready, else undefined */
  readonly exitCode: number | null | undefined;
  /** the arguments memcached was started with */
  readonly args: readonly string[];

  /**
   * @param message - what went wrong
   * @param details - stderr, exit code and arguments; stderr is appended to the message
   */
  constructor(message: string, details: MemcachedStartErrorDetails = {}) {
    const stderr = details.stderr ?? '';
    const argsText = details.args ? `\nargs: memcached ${details.args.join(' ')}` : '';
    const stderrText = stderr.trim() ? `\nmemcached stderr:\n${stderr.trimEnd()}` : '';
    super(`${message}${argsText}${stderrText}`, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'MemcachedStartError';
    this.stderr = stderr;
    this.exitCode = details.exitCode;
    this.args = details.args ?? [];
  }

  /**
   * True when memcached failed because its port was taken: the window between
   * {@link freePort} and memcached binding is a real race, so callers retry.
   */
  get addressInUse(): boolean {
    return /address already in use|failed to listen/i.test(this.stderr);
  }
}
