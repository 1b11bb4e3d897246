/** Reads a deque's report (inspectDeque) for `mcc inspect` and `mcc fsck`, and prints its parts. */
import { inspectDeque, type DequeReport } from '@mcc/deque';
import { CliError } from './cli-error';
import { hintFor } from './error-hints';
import { formatCount } from './format';
import type { ServerTarget } from './open-command';
import { commandClientOptions } from './store-session';
import { countingStore, withWalkProgress } from './walk-progress';

/**
 * Walks the deque (read-only), with progress on stderr when it takes a while.
 * @throws CliError MCC_ERR_DEQUE_NOT_FOUND when its anchor does not exist
 */
export async function readDequeReport(target: ServerTarget, name: string, colocate: boolean, label: string): Promise<DequeReport> {
  const store = countingStore(target.servers, commandClientOptions(target));
  let report: DequeReport;
  try {
    report = await withWalkProgress(label, store, inspectDeque(store, name, { colocate }));
  } finally {
    await store.close().catch(() => undefined);
  }
  if (!report.exists) {
    const code = 'MCC_ERR_DEQUE_NOT_FOUND';
    const hint = hintFor({ code, deque: name });
    throw new CliError(code, `deque "${name}" does not exist (anchor ${report.anchorKey} is missing: never created, destroyed, or evicted)`, hint === undefined ? {} : { hint });
  }
  return report;
}

/** "12 chunks, buffers 3 left / 5 right, 0 large values". */
export function describeStorage(report: DequeReport): string {
  const plural = (count: number, word: string): string => `${formatCount(count)} ${word}${count === 1 ? '' : 's'}`;
  return `${plural(report.chunks, 'chunk')}, buffers ${report.leftBuffer} left / ${report.rightBuffer} right, ${plural(report.externalValues, 'large value')}`;
}

/** Cross-process combining, when the deque uses it: "generation 3, 2 operations pending, 5 results not yet acked" (ack frames are bookkeeping: not counted). */
export function describeCombining(report: DequeReport): string | null {
  const combining = report.combining;
  if (combining === undefined) return null;
  const plural = (count: number, word: string): string => `${formatCount(count)} ${word}${count === 1 ? '' : 's'}`;
  const log = combining.unreadable === null ? '' : ` (${combining.unreadable}: the next combiner starts a new log)`;
  const operations = combining.pendingFrames.filter((frame) => frame.op !== 'ack').length;
  return `generation ${combining.generation}, ${plural(operations, 'operation')} pending${log}, ${plural(combining.unackedResults.length, 'result')} not yet acked`;
}

/** The problem lines, aligned: key, then what is wrong. */
export function problemLines(report: DequeReport): string[] {
  const width = Math.max(...report.problems.map((problem) => problem.key.length));
  return report.problems.map((problem) => `  ${problem.key.padEnd(width)}  ${problem.problem}`);
}

/** Why records go missing and what prevents it. */
export const CORRUPTION_ADVICE =
  'records were lost (evicted, or a server restarted): run memcached with -M (and enough -m) so it never evicts, and do not restart servers that hold deques';

/** The report as JSON-able data (values as read). */
export function reportDocument(report: DequeReport): Record<string, unknown> {
  return { ...report, ok: report.problems.length === 0 };
}
