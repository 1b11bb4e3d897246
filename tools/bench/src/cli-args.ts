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
  /** `--cells`: alternatives of tags that must all match, e.g. [['deque','p16'], ['mcas']]; null = every cell. */
  cells: string[][] | null;
}

export const USAGE = `Usage: pnpm bench <suite...> [options]

Runs benchmark suites against memcached (started and stopped by the bench
unless --servers is given) and prints Markdown tables.

Options:
  --seconds N       measured seconds per client and cell (default 2)
  --warmup N        unrecorded seconds before each measured round (default 0.15)
  --rounds N        rounds per cell; the clients' order alternates (default 6)
  --servers LIST    use running memcached servers, host:port[,host:port...]
  --cells SELECT    only the cells matching one of the comma-separated selectors,
                    each tags joined by '+' that must all match (suites that have
                    tagged cells, e.g. scale: --cells deque+p16+c1,mcas+p1;
                    protocol: --cells get+100kib+c64,set+c1)
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
      cells: { type: 'string' },
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
    cells: parseCells(values.cells),
    json: values.json ?? false,
    help: values.help ?? false,
  };
}

function parseCells(text: string | undefined): string[][] | null {
  if (text === undefined) return null;
  const selectors = text.split(',').map((selector) => selector.split('+').map((tag) => tag.trim().toLowerCase()).filter((tag) => tag !== ''));
  if (selectors.length === 0 || selectors.some((tags) => tags.length === 0)) throw new Error(`--cells must be tag[+tag...][,tag[+tag...]...], got "${text}"`);
  return selectors;
}

/** Whether a cell with `tags` is selected by `--cells`. */
export function cellSelected(cells: readonly (readonly string[])[] | null, tags: readonly string[]): boolean {
  return cells === null || cells.some((selector) => selector.every((tag) => tags.includes(tag)));
}
