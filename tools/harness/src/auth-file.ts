/**
 * A private authfile for `memcached -Y` (text-protocol authentication):
 * one `user:password` line in a file only this process's user can read.
 * Until a connection sends `set <any key> 0 0 <n>` with `<user> <password>`
 * as its data, memcached answers every command `CLIENT_ERROR
 * unauthenticated` (memcached 1.6.18), so readiness is asked after that.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { TEXT_PROBE, type ReadinessProbe } from './readiness';

export interface AuthFileUser {
  readonly username: string;
  readonly password: string;
}

/** Writes the authfile for `user`; returns its path (removed when this process exits). */
export function writeAuthFile(user: AuthFileUser): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mcc-authfile-'));
  const file = path.join(dir, 'authfile');
  fs.writeFileSync(file, `${user.username}:${user.password}\n`, { mode: 0o600 });
  process.once('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  return file;
}

/** The text probe, after authenticating as `user` in the same write. */
export function authFileProbe(user: AuthFileUser): ReadinessProbe {
  const credentials = Buffer.from(`${user.username} ${user.password}`);
  return {
    ...TEXT_PROBE,
    payload: `set mcc:harness 0 0 ${credentials.length}\r\n${credentials.toString()}\r\n${TEXT_PROBE.payload as string}`,
    accepts: (reply) => reply.startsWith('STORED\r\nVERSION '),
  };
}
