/**
 * `pnpm bench <suite...>`: runs benchmark suites and reports them.
 *
 * Each suite gets fresh memcached servers from the harness (or the ones named
 * by `--servers`), and they are stopped whatever happens: normal end, an
 * error, or Ctrl-C (the first one aborts the run and cleans up; a second
 * one exits at once, and the harness's watchdog still takes memcached down).
 *
 * @packageDocumentation
 */
import * as os from 'node:os';
import { stopAllMemcached } from '@mcc/harness';
import { parseCliArgs, USAGE, type CliArgs } from './cli-args';
import { formatReport } from './report';
import { acquireServers } from './servers';
import type { Suite, SuiteReport } from './suite';
import { loadSuite, suiteNames } from './suite-registry';

export type { Suite, SuiteContext, SuiteReport, BenchSettings } from './suite';
export { runClosedLoop, type LoopOptions, type LoopResult, type Operation } from './runner';
export { Histogram } from './histogram';
export { compareInRounds, summarize, type Measurement, type Merged, type Summary } from './compare';
export { formatTable, type Table, type Column } from './report';

const EXIT_OK = 0;
const EXIT_FAILED = 1;
const EXIT_USAGE = 2;
const EXIT_INTERRUPTED = 130;

function progress(message: string): void {
  process.stderr.write(`bench: ${message}\n`);
}

function helpText(): string {
  const lines = suiteNames().map((name) => {
    try {
      return `  ${name.padEnd(12)}${loadSuite(name).description}`;
    } catch (error) {
      return `  ${name.padEnd(12)}(cannot load: ${(error as Error).message})`;
    }
  });
  return `${USAGE}\n\nSuites:\n${lines.join('\n')}\n`;
}

/** Ctrl-C / SIGTERM abort the run; a second one leaves at once. Returns the remover. */
function handleSignals(controller: AbortController): () => void {
  const onSignal = (signal: NodeJS.Signals): void => {
    if (controller.signal.aborted) {
      progress(`${signal} again: exiting now`);
      void stopAllMemcached().finally(() => process.exit(EXIT_INTERRUPTED));
      return;
    }
    progress(`${signal}: stopping (again to exit at once)`);
    controller.abort(new Error(`interrupted by ${signal}`));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
}

async function runSuite(suite: Suite, args: CliArgs, signal: AbortSignal): Promise<SuiteReport> {
  const lease = await acquireServers(suite.servers, suite.memcached, args.servers);
  try {
    if (lease.addresses.length > 0) progress(`${suite.name}: memcached at ${lease.addresses.join(', ')}${args.servers === null ? ' (started for this run)' : ''}`);
    return await suite.run({ servers: lease.addresses, settings: args.settings, cells: args.cells, signal, progress: (message) => progress(`${suite.name}: ${message}`) });
  } finally {
    await lease.release();
  }
}

/** Runs the CLI; resolves to the process exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  let args: CliArgs;
  let suites: Suite[];
  try {
    args = parseCliArgs(argv);
    if (args.help || args.suites.length === 0) {
      process[args.help ? 'stdout' : 'stderr'].write(helpText());
      return args.help ? EXIT_OK : EXIT_USAGE;
    }
    suites = args.suites.map(loadSuite);
  } catch (error) {
    process.stderr.write(`bench: ${(error as Error).message}\n\n${USAGE}\n`);
    return EXIT_USAGE;
  }

  const controller = new AbortController();
  const removeSignalHandlers = handleSignals(controller);
  const reports: SuiteReport[] = [];
  try {
    for (const suite of suites) {
      const report = await runSuite(suite, args, controller.signal);
      reports.push(report);
      // Each suite's tables as soon as they exist: a later failure keeps them.
      if (!args.json) process.stdout.write(`\n${formatReport(report)}`);
    }
  } catch (error) {
    if (controller.signal.aborted) {
      progress('interrupted; servers stopped');
      return EXIT_INTERRUPTED;
    }
    process.stderr.write(`bench: failed: ${(error as Error).stack ?? String(error)}\n`);
    return EXIT_FAILED;
  } finally {
    removeSignalHandlers();
  }

  if (args.json) {
    const cpus = os.cpus();
    const output = {
      date: new Date().toISOString(),
      node: process.version,
      platform: `${os.platform()} ${os.release()} ${os.arch()}`,
      cpus: { count: cpus.length, model: cpus[0]?.model ?? 'unknown' },
      settings: args.settings,
      suites: reports.map(({ suite, title, notes, results }) => ({ suite, title, notes, results })),
    };
    process.stdout.write(`${JSON.stringify(output, null, 2)}\n`);
  }
  return EXIT_OK;
}

if (require.main === module) {
  void main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
