/** The demo's final report: a table of workloads and the verdict of each check. */
import { formatColumns, formatCount, formatNumber } from '../format';
import type { DemoResult } from './orchestrator';

export interface DemoServerInfo {
  readonly servers: readonly string[];
}

/** The summary for people. */
export function formatSummary(result: DemoResult, server: DemoServerInfo): string {
  const where = server.servers.join(', ');
  const lines = [`mcc demo: ${result.seconds.toFixed(1)} s against ${where}${result.interrupted ? ' — INTERRUPTED: the figures so far, nothing verified' : ''}`, ''];
  const rows = [['workload', 'procs×loops', 'ops', 'ops/s', 'round trips/op', '']];
  for (const workload of result.workloads) {
    rows.push([
      workload.name,
      `${workload.processes}×${workload.concurrency}`,
      formatCount(workload.ops),
      formatCount(workload.opsPerSecond),
      formatNumber(workload.roundTripsPerOp),
      workload.retries > 0 && workload.retriesMeaning !== '' ? `${formatCount(workload.retries)} ${workload.retriesMeaning}` : '',
    ]);
  }
  lines.push(...formatColumns(rows, [false, true, true, true, true, false]).map((line) => `  ${line}`), '');
  if (result.interrupted) {
    lines.push(`interrupted: the demo's data is left on the servers (deque ${result.names.queue}; mcc fsck ${result.names.queue} --servers ${server.servers.join(',')})`);
    return `${lines.join('\n')}\n`;
  }
  const checkRows = result.checks.map((check) => [check.ok ? 'PASS' : 'FAIL', check.name, check.detail]);
  lines.push(...formatColumns(checkRows).map((line) => `  ${line}`), '');
  const failed = result.checks.filter((check) => !check.ok).length;
  if (failed === 0) {
    lines.push(`all ${result.checks.length} checks passed`);
  } else {
    lines.push(`FAILED: ${failed} of ${result.checks.length} checks`);
    lines.push(`the demo's data is kept for inspection: mcc fsck ${result.names.queue} --servers ${server.servers.join(',')}`);
  }
  lines.push(`(ops/s: operations completed in the ${result.seconds.toFixed(1)} s run window, as the live rates; popLeft's ops include the final drain)`);
  lines.push('(round trips/op: socket flushes of each worker\'s client per completed operation; a flush to one server is one round trip)');
  return `${lines.join('\n')}\n`;
}

/** The summary for `--json`. */
export function summaryDocument(result: DemoResult, server: DemoServerInfo): Record<string, unknown> {
  return {
    ok: result.ok,
    interrupted: result.interrupted,
    seconds: result.seconds,
    servers: server.servers,
    backlog: { max: result.maxBacklog, limit: result.backlogLimit },
    workloads: result.workloads,
    checks: result.checks,
    names: result.names,
    workerOutput: result.workerOutput,
  };
}
