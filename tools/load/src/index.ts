/**
 * `pnpm load <test>`: load tests on real memcached with their invariants
 * checked at the end; the exit code is 1 on any violation.
 *
 * memcached is started through the harness (and always stopped, Ctrl-C
 * included) unless `--servers` names running servers.
 *
 * @packageDocumentation
 */
import { startCluster, stopAllMemcached } from '@mcc/harness';
import { type LoadArgs, parseLoadArgs, USAGE } from './cli-args';
import { runDequeLoad } from './deque-load';
import { runLinearizabilityLoad } from './linearizability-load';
import { runMcasLoad } from './mcas-load';
import { runQueueLoad } from './queue-load';
import { formatLoadReport, type LoadReport } from './report';

export type { LoadReport } from './report';

type LoadTest = (args: LoadArgs, servers: readonly string[], progress: (message: string) => void) => Promise<LoadReport>;

/** The load tests by name; a new one is a file and a line here. */
const TESTS: Readonly<Record<string, LoadTest>> = { mcas: runMcasLoad, deque: runDequeLoad, queue: runQueueLoad, linearizability: runLinearizabilityLoad };

const EXIT_OK = 0;
const EXIT_VIOLATION = 1;
const EXIT_USAGE = 2;

function progress(message: string): void {
  process.stderr.write(`load: ${message}\n`);
}

export async function main(argv: readonly string[]): Promise<number> {
  let args: LoadArgs;
  try {
    args = parseLoadArgs(argv);
  } catch (error) {
    process.stderr.write(`load: ${(error as Error).message}\n\n${USAGE}\n`);
    return EXIT_USAGE;
  }
  if (args.help || args.test === null) {
    process[args.help ? 'stdout' : 'stderr'].write(`${USAGE}\n`);
    return args.help ? EXIT_OK : EXIT_USAGE;
  }
  const test = TESTS[args.test];
  if (test === undefined) {
    process.stderr.write(`load: unknown test "${args.test}"; available: ${Object.keys(TESTS).join(', ')}\n`);
    return EXIT_USAGE;
  }
  const onSignal = (): void => {
    void stopAllMemcached().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const cluster = args.servers === null ? await startCluster(args.serverCount, { evictions: false }) : null;
  try {
    const report = await test(args, args.servers ?? cluster!.addresses, progress);
    process.stdout.write(formatLoadReport(report));
    return report.violations.length === 0 ? EXIT_OK : EXIT_VIOLATION;
  } catch (error) {
    process.stderr.write(`load: failed: ${(error as Error).stack ?? String(error)}\n`);
    return EXIT_VIOLATION;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await cluster?.stop();
  }
}

if (require.main === module) {
  void main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
