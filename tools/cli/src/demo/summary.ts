/** The demo's final report: a table of workloads and the verdict of each check. */
import { formatColumns, formatCount, formatNumber } from '../format';
import type { DemoResult } from './orchestrator';

export interface DemoServerInfo {
  readonly servers: readonly string[];
  /** The private memcached the demo started, if it did. */
  readonly embedded: { readonly address: string; readonly pid: number | undefined; readonly args: readonly string[] } | null;
}

/** The summary for people. */
export function formatSummary(result: DemoResult, server: DemoServerInfo): string {
  const where = server.embedded === null ? server.servers.join(', ') : `${server.embedded.address} (a private memcached -M, now stopped)`;
  const lines = [`mcc demo: ${result.seconds.toFixed(1)} s against ${where}`, ''];
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
  const checkRows = result.checks.map((check) => [check.ok ? 'PASS' : 'FAIL', check.name, check.detail]);
  lines.push(...formatColumns(checkRows).map((line) => `  ${line}`), '');
  const failed = result.checks.filter((check) => !check.ok).length;
  if (failed === 0) {
    lines.push(`all ${result.checks.length} checks passed`);
  } else {
    lines.push(`FAILED: ${failed} of ${result.checks.length} checks`);
    if (server.embedded === null) {
      const servers = server.servers.join(',');
      lines.push(`the demo's data is kept for inspection: mcc fsck ${result.names.queue} --servers ${servers}`);
    }
  }
  lines.push('(round trips/op: socket flushes of each worker\'s client per completed operation; a flush to one server is one round trip)');
  return `${lines.join('\n')}\n`;
}

/** The summary for `--json`. */
export function summaryDocument(result: DemoResult, server: DemoServerInfo): Record<string, unknown> {
  return {
    ok: result.ok,
    seconds: result.seconds,
    servers: server.servers,
    embedded: server.embedded,
    workloads: result.workloads,
    checks: result.checks,
    names: result.names,
    workerOutput: result.workerOutput,
  };
}
