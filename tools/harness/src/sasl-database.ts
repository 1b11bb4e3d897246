/**
 * A private SASL configuration for `memcached -S`: a directory holding
 * `memcached.conf` (`mech_list: plain`, `sasldb_path: <dir>/sasldb2`) and a
 * sasldb with one user, made with `saslpasswd2` (Debian: sasl2-bin).
 * memcached finds it through `SASL_CONF_PATH=<dir>` in its environment.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export interface SaslUser {
  readonly username: string;
  readonly password: string;
}

/** Makes the configuration directory for `user`; returns the environment memcached needs. */
export function saslEnvironment(user: SaslUser): Record<string, string> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mcc-sasl-'));
  const database = path.join(dir, 'sasldb2');
  fs.writeFileSync(path.join(dir, 'memcached.conf'), `mech_list: plain\nsasldb_path: ${database}\n`);
  execFileSync('saslpasswd2', ['-p', '-a', 'memcached', '-c', '-f', database, user.username], { input: user.password, stdio: ['pipe', 'ignore', 'pipe'] });
  process.once('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  return { SASL_CONF_PATH: dir };
}

/** A binary SASL_LIST_MECHS request: a `-S` server answers it unauthenticated ("PLAIN"). */
export const SASL_LIST_MECHANISMS = Buffer.from([0x80, 0x20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0]);
