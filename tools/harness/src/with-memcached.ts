#!/usr/bin/env node
/**
 * `with-memcached [--count N] [memcached flags…] -- command [args…]`: runs a
 * command against private memcached servers started for it (free loopback
 * ports, under the harness's watchdog), with `MCC_SERVERS` set to their
 * addresses, and stops them when the command ends. The repository's
 * `pnpm demo` is `with-memcached -M -m 256 -- mcc demo`: the published CLI
 * never starts servers itself, so it needs nothing of the harness.
 *
 * Signals: the command runs in its own process group, so a terminal's
 * Ctrl-C reaches it once — forwarded from here — and it can finish (the
 * demo prints a partial summary); a second Ctrl-C is forwarded too. Exits
 * with the command's exit code (128 + signal number if a signal ended it),
 * 2 on a usage error, 3 when memcached cannot be started.
 */
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { startCluster } from './cluster';
import { SERVERS_ENV } from './use-memcached';

const USAGE = 'usage: with-memcached [--count N] [memcached flags…] -- command [args…]\n';
const EXIT_USAGE = 2;
const EXIT_NO_SERVER = 3;

function note(message: string): void {
  process.stderr.write(`with-memcached: ${message}\n`);
}

/** Splits the command line; null on a usage error. */
export function parseLauncherArgs(argv: readonly string[]): { count: number; flags: string[]; command: string[] } | null {
  const separator = argv.indexOf('--');
  if (separator === -1 || separator === argv.length - 1) return null;
  const before = argv.slice(0, separator);
  let count = 1;
  if (before[0] === '--count') {
    count = Number(before[1]);
    if (!Number.isInteger(count) || count < 1 || count > 16) return null;
    before.splice(0, 2);
  }
  return { count, flags: before, command: argv.slice(separator + 1) };
}

async function main(argv: readonly string[]): Promise<number> {
  const parsed = parseLauncherArgs(argv);
  if (parsed === null) {
    process.stderr.write(USAGE);
    return EXIT_USAGE;
  }
  let cluster;
  try {
    cluster = await startCluster(parsed.count, { extraArgs: parsed.flags });
  } catch (error) {
    const { code, message } = error as { code?: string; message: string };
    note(`${code ?? 'ERROR'}: ${message}`);
    note('or run the command with --servers host:port against a memcached you run');
    return EXIT_NO_SERVER;
  }
  const pids = cluster.servers.map((server) => server.pid).join(', ');
  note(`started memcached (pid ${pids}) on ${cluster.addresses.join(',')}${parsed.flags.length === 0 ? '' : ` with ${parsed.flags.join(' ')}`}; it stops when the command ends`);
  const [file, ...args] = parsed.command as [string, ...string[]];
  const child = spawn(file, args, { stdio: 'inherit', detached: true, env: { ...process.env, [SERVERS_ENV]: cluster.addresses.join(',') } });
  const forward = (signal: NodeJS.Signals): void => {
    if (child.exitCode === null) child.kill(signal);
  };
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  const code = await new Promise<number>((resolve) => {
    child.once('error', (error) => {
      note(`cannot run ${file}: ${error.message}`);
      resolve(127);
    });
    child.once('exit', (exitCode, signal) => resolve(exitCode ?? 128 + (signal === null ? 0 : (constants.signals[signal] ?? 0))));
  });
  process.off('SIGINT', forward);
  process.off('SIGTERM', forward);
  await Promise.all(cluster.servers.map((server) => server.kill()));
  return code;
}

if (require.main === module) {
  void main(process.argv.slice(2)).then((code) => process.exit(code));
}
