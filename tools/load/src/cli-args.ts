/** Command-line parsing for `pnpm load <test> [options]`. */
import { parseArgs } from 'node:util';

export interface LoadArgs {
  test: string | null;
  /** Worker processes. */
  processes: number;
  /** Concurrent loops in each process (`--workers`, or `--concurrency`). */
  workers: number;
  /** deque: producer and consumer processes. */
  producers: number;
  consumers: number;
  /** deque: approximate encoded size of each value, in bytes. */
  valueSize: number;
  /** Counters (locations) the operations pick from. */
  locations: number;
  /** Locations per operation (MCAS entries). */
  per: number;
  /** Seconds the workers run. */
  seconds: number;
  /** Existing servers (`--servers`), or null to start `serverCount` memcached through the harness. */
  servers: string[] | null;
  serverCount: number;
  /** linearizability: clients per process, operations per client, chance of a fault per reply, flushBytes, first seed, where failing histories go. */
  clients: number;
  ops: number;
  faultRate: number;
  flushBytes: number;
  seed: number | null;
  saveDir: string;
  /** linearizability: every lost reply of a deque operation open-ended (default: only *_OUTCOME_UNKNOWN, as the deque resolves lost replies). */
  permissive: boolean;
  /** linearizability: the deques combine across processes (`DequeOptions.combine`). */
  combine: boolean;
  help: boolean;
}

export const USAGE = `Usage: pnpm load <test> [options]

Runs a load test against memcached (started and stopped here unless
--servers is given), then checks its invariants; exits 1 on any violation.

Tests:
  mcas      MCAS increments of --per random counters out of --locations,
            from --processes processes × --workers concurrent loops each;
            every counter must end at exactly the increments applied to it
  deque     --producers processes append {p, i, pad} values of about
            --value-size bytes to one deque for --seconds while --consumers
            processes popLeft until it is drained; every value must be
            popped exactly once, in each producer loop's order
  queue     --producers processes push jobs for --seconds while --consumers
            processes × --workers loops claim and ack them, SIGKILLing
            themselves at random between claim and ack (and replaced),
            and a redriver puts dead letters back (redrive); every job
            acked exactly once, dead-lettered or redriven, redeliveries
            only after crashes or expired leases
  linearizability
            histories of --processes × --clients clients doing --ops random
            operations on two deques (moveTo between them, chunks), on
            MCAS registers or on a work queue, through fault proxies (lost, torn, stalled
            replies), each checked for linearizability; a violation saves
            the history (Porcupine JSON) to --save-dir

Options:
  --processes P     worker processes (default 4)
  --workers W       concurrent loops per process (default 8; alias --concurrency)
  --producers P     deque: appending processes (default 2)
  --consumers C     deque: popping processes (default 2)
  --value-size B    deque: encoded bytes per value, about (default 100)
  --locations N     counters to pick from (default 100)
  --per M           counters per MCAS (default 5)
  --seconds S       how long the workers run (default 10)
  --servers LIST    use running memcached servers, host:port[,host:port...]
  --server-count K  memcached servers to start when --servers is not given (default 3)
  --clients C       linearizability: clients per process (default 2)
  --ops N           linearizability: operations per client per history (default 12)
  --fault-rate P    linearizability: chance a reply is cut, torn or stalled (default 0.03)
  --flush-bytes B   linearizability: the deques' flushBytes (default 40)
  --seed S          linearizability: seed of the first history (default random)
  --save-dir DIR    linearizability: where failing histories are saved (default .)
  --permissive      linearizability: take every deque operation that failed with a
                    lost reply as "may or may not have happened" (default: only
                    *_OUTCOME_UNKNOWN errors; the deque resolves lost replies)
  --combine         linearizability: the deques combine across processes
                    (DequeOptions.combine; the combined operations are counted)
  -h, --help        this text`;

function positiveInteger(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`--${name} must be a positive whole number, got "${text}"`);
  return value;
}

function positiveNumber(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} must be a positive number, got "${text}"`);
  return value;
}

function fraction(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!(value >= 0 && value <= 1)) throw new Error(`--${name} must be a number from 0 to 1, got "${text}"`);
  return value;
}

function wholeNumber(name: string, text: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < 0) throw new Error(`--${name} must be a non-negative whole number, got "${text}"`);
  return value;
}

/** @throws Error with a message fit for the user on a bad argument. */
export function parseLoadArgs(argv: readonly string[]): LoadArgs {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      processes: { type: 'string' },
      workers: { type: 'string' },
      concurrency: { type: 'string' },
      producers: { type: 'string' },
      consumers: { type: 'string' },
      'value-size': { type: 'string' },
      locations: { type: 'string' },
      per: { type: 'string' },
      seconds: { type: 'string' },
      servers: { type: 'string' },
      'server-count': { type: 'string' },
      clients: { type: 'string' },
      ops: { type: 'string' },
      'fault-rate': { type: 'string' },
      'flush-bytes': { type: 'string' },
      seed: { type: 'string' },
      'save-dir': { type: 'string' },
      permissive: { type: 'boolean', default: false },
      combine: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.workers !== undefined && values.concurrency !== undefined) throw new Error('--workers and --concurrency are the same option: give one');
  if (positionals.length > 1) throw new Error(`one test at a time, got ${positionals.join(' ')}`);
  let servers: string[] | null = null;
  if (values.servers !== undefined) {
    servers = values.servers.split(',').map((entry) => entry.trim()).filter((entry) => entry !== '');
    const malformed = servers.find((entry) => !/^[^\s:]+:\d{1,5}$/.test(entry));
    if (servers.length === 0 || malformed !== undefined) throw new Error(`--servers must be host:port[,host:port...], got "${values.servers}"`);
  }
  const args: LoadArgs = {
    test: positionals[0] ?? null,
    processes: positiveInteger('processes', values.processes, 4),
    workers: values.concurrency === undefined ? positiveInteger('workers', values.workers, 8) : positiveInteger('concurrency', values.concurrency, 8),
    producers: positiveInteger('producers', values.producers, 2),
    consumers: positiveInteger('consumers', values.consumers, 2),
    valueSize: positiveInteger('value-size', values['value-size'], 100),
    locations: positiveInteger('locations', values.locations, 100),
    per: positiveInteger('per', values.per, 5),
    seconds: positiveNumber('seconds', values.seconds, 10),
    servers,
    serverCount: positiveInteger('server-count', values['server-count'], 3),
    clients: positiveInteger('clients', values.clients, 2),
    ops: positiveInteger('ops', values.ops, 12),
    faultRate: fraction('fault-rate', values['fault-rate'], 0.03),
    flushBytes: positiveInteger('flush-bytes', values['flush-bytes'], 40),
    seed: values.seed === undefined ? null : wholeNumber('seed', values.seed),
    saveDir: values['save-dir'] ?? '.',
    permissive: values.permissive ?? false,
    combine: values.combine ?? false,
    help: values.help ?? false,
  };
  if (args.per > args.locations) throw new Error(`--per (${args.per}) cannot exceed --locations (${args.locations})`);
  return args;
}
