/**
 * `mcc demo`: producers and consumers in separate processes on one deque,
 * atomic moves between two deques, MCAS transfers between accounts and a
 * work queue's push/claim/ack, all at once, with live progress and a
 * verified summary.
 */
import { positiveNumber } from '../args';
import { CliError, EXIT_CODES } from '../cli-error';
import type { Command } from '../command';
import { runDemo, type DemoResult } from '../demo/orchestrator';
import { ProgressDisplay } from '../demo/progress';
import { formatSummary, summaryDocument, type DemoServerInfo } from '../demo/summary';
import { helpText, JSON_HELP, SERVERS_HELP } from '../help-text';
import { openCommand } from '../open-command';
import { note, print, printJson } from '../output';

const NAME = 'demo';
/** Beyond the requested seconds: setup, start, drain and checks; the demo is cut off after this. */
const OVERHEAD_ALLOWANCE_MS = 45_000;

export const demoCommand: Command = {
  name: NAME,
  summary: 'run producers, consumers, atomic moves, MCAS transfers and a work queue at once, then verify everything',
  usage: helpText(
    'mcc demo [--seconds N] [--servers LIST] [--json]',
    [
      'Runs, at the same time, for --seconds:',
      '  - producer and consumer processes on one deque (append {p, i} / popLeft),',
      '  - atomic moveTo between two deques, items shuttled back and forth,',
      '  - MCAS transfers between 10 accounts,',
      '  - a work queue: jobs pushed, claimed and acked (1 in 25 nacked once),',
      'with live progress on stderr, then checks that items in = items out, no',
      'duplicates, FIFO order per producer per consumer, that the moved items',
      "and the accounts' total are conserved, and that every job was done once.",
      'Exits with 1 if any check fails.',
      'Ctrl-C stops it early and prints the figures so far (exit code 130).',
      '',
      "Give it servers of its own for the test: it writes a few thousand items",
      '(and deletes them when every check passes). In a clone of the repository,',
      '`pnpm demo` runs it against a private memcached started for the run.',
    ].join('\n'),
    [
      '  --seconds N      how long the workloads run (default 10)',
      '  --producers N    producer processes (default 2)',
      '  --consumers N    consumer processes (default 2)',
      '  --concurrency N  concurrent loops per producer process (default 8;',
      '                   consumers, moveTo, MCAS and jobs run half as many)',
      SERVERS_HELP,
      '  --quiet          no progress on stderr',
      JSON_HELP.replace('the result', 'the summary'),
    ],
    ['mcc demo', 'mcc demo --seconds 3 --json', 'mcc demo --servers node1:11211,node2:11211,node3:11211'],
  ),
  async run(argv) {
    const opened = openCommand(this, argv, {
      seconds: { type: 'string' },
      producers: { type: 'string' },
      consumers: { type: 'string' },
      concurrency: { type: 'string' },
      quiet: { type: 'boolean', default: false },
    }, []);
    if (opened === null) return EXIT_CODES.ok;
    const { values } = opened;
    const seconds = positiveNumber(NAME, 'seconds', values.seconds, 10, { max: 3600 });
    const producers = positiveNumber(NAME, 'producers', values.producers, 2, { integer: true, max: 32 });
    const consumers = positiveNumber(NAME, 'consumers', values.consumers, 2, { integer: true, max: 32 });
    const concurrency = positiveNumber(NAME, 'concurrency', values.concurrency, 8, { integer: true, max: 256 });
    const { servers, connection } = opened.servers();

    const controller = new AbortController();
    const onSignal = (signal: NodeJS.Signals): void => {
      if (controller.signal.aborted) process.exit(EXIT_CODES.interrupted); // second signal: leave now
      note(`${signal}: stopping the demo (again to exit at once)`);
      controller.abort(new CliError('MCC_ERR_CLI_INTERRUPTED', `interrupted by ${signal}`, { exitCode: EXIT_CODES.interrupted }));
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    const deadline = setTimeout(
      () => controller.abort(new CliError('MCC_ERR_CLI_DEMO_TIMEOUT', `the demo did not finish within ${seconds} s plus ${OVERHEAD_ALLOWANCE_MS / 1000} s`)),
      seconds * 1000 + OVERHEAD_ALLOWANCE_MS,
    );
    deadline.unref();

    try {
      controller.signal.throwIfAborted();
      const display = new ProgressDisplay(process.stderr, process.stderr.isTTY === true);
      let result: DemoResult;
      try {
        result = await runDemo({
          servers,
          connection,
          seconds,
          producers,
          consumers,
          concurrency,
          signal: controller.signal,
          onProgress: (snapshot) => {
            if (!values.quiet) display.update(snapshot);
          },
        });
      } finally {
        display.finish();
      }
      const serverInfo: DemoServerInfo = { servers };
      for (const output of result.workerOutput) note(`worker output: ${output}`);
      if (values.json) printJson(summaryDocument(result, serverInfo));
      else print(`\n${formatSummary(result, serverInfo)}`);
      if (result.interrupted) {
        const reason = controller.signal.reason as { code?: string };
        if (reason.code !== 'MCC_ERR_CLI_INTERRUPTED') throw reason; // the deadline, not Ctrl-C
        note(`MCC_ERR_CLI_INTERRUPTED: interrupted after ${result.seconds.toFixed(1)} s; the summary above is partial`);
        return EXIT_CODES.interrupted;
      }
      return result.ok ? EXIT_CODES.ok : EXIT_CODES.negative;
    } finally {
      clearTimeout(deadline);
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  },
};
