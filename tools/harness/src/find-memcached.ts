import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { MemcachedNotInstalledError } from './errors';

/** Environment variable that overrides the memcached binary. */
export const MEMCACHED_BIN_ENV = 'MCC_MEMCACHED_BIN';

/**
 * Directories searched after $PATH: package managers install memcached into
 * sbin or Homebrew directories that minimal CI/container PATHs often omit.
 */
const FALLBACK_DIRS = ['/usr/local/bin', '/opt/homebrew/bin', '/usr/bin', '/usr/sbin', '/usr/local/sbin'];

function isExecutableFile(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Locates the memcached binary: `$MCC_MEMCACHED_BIN` if set, otherwise the
 * first executable `memcached` on `$PATH` (then a few well-known directories).
 *
 * Called on every server start rather than cached, so a test can change
 * `MCC_MEMCACHED_BIN` at run time.
 *
 * @returns absolute (or PATH-relative as given) path of the binary
 * @throws {@link MemcachedNotInstalledError} if nothing executable is found
 */
export function findMemcached(): string {
  const override = process.env[MEMCACHED_BIN_ENV];
  if (override !== undefined && override !== '') {
    if (isExecutableFile(override)) return override;
    throw new MemcachedNotInstalledError(`${MEMCACHED_BIN_ENV}=${override} is not an executable file`);
  }
  const pathDirs = (process.env['PATH'] ?? '').split(delimiter).filter((dir) => dir !== '');
  for (const dir of [...pathDirs, ...FALLBACK_DIRS]) {
    const candidate = join(dir, 'memcached');
    if (isExecutableFile(candidate)) return candidate;
  }
  throw new MemcachedNotInstalledError('no executable `memcached` on PATH');
}
