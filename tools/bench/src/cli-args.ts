/** Command-line parsing for `pnpm bench <suite...> [options]`. */
import { parseArgs } from 'node:util';
import type { BenchSettings } from './suite';

export interface CliArgs {
  suites: string[];
  settings: BenchSettings;
  /** Existing servers (`--servers`), or null to start memcached through the harness. */
  servers: string[] | null;
  json: boolean;
  help: boolean;
}

export const USAGE = `Usage: pnpm bench <suite...> [options]

Runs benchmark suites against memcached (started and stopped by the bench
unless --servers is given) and prints Markdown tables.

Options:
  --seconds N       measured seconds per client and cell (default 2)
  --warmup N        unrecorded seconds before each measured round (default 0.15)
  --rounds N        rounds per cell; the clients' order alternates (default 6)
  --servers LIST    use running memcached servers, host:port[,host:port...]
  --json            print results as JSON on stdout (progress stays on stderr)
  -h, --help        this text and the list of suites`;

function positiveNumber(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} must be a positive number, got "${text}"`);
  return value;
}

/** @throws Error with a message fit for the user on a bad argument. */
export function parseCliArgs(argv: readonly string[]): CliArgs {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      seconds: { type: 'string' },
      warmup: { type: 'string' },
      rounds: { type: 'string' },
      servers: { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const rounds = positiveNumber('rounds', values.rounds, 6);
  if (!Number.isInteger(rounds)) throw new Error(`--rounds must be a whole number, got "${values.rounds}"`);
  let servers: string[] | null = null;
  if (values.servers !== undefined) {
    servers = values.servers.split(',').map((entry) => entry.trim()).filter((entry) => entry !== '');
    const malformed = servers.find((entry) => !/^[^\s:]+:\d{1,5}$/.test(entry));
    if (servers.length === 0 || malformed !== undefined) {
      throw new Error(`--servers must be host:port[,host:port...], got "${values.servers}"`);
    }
  }
  return {
    suites: positionals,
    settings: {
      seconds: positiveNumber('seconds', values.seconds, 2),
      warmupSeconds: positiveNumber('warmup', values.warmup, 0.15),
      rounds,
    },
    servers,
    json: values.json ?? false,
    help: values.help ?? false,
  };
}
