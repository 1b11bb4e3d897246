/**
 * The demo's live progress on stderr: redrawn bars on a terminal, one plain
 * line every second otherwise (CI logs, pipes).
 */
import { formatCount } from '../format';

/** One workload's counters, summed over its processes. */
export interface WorkloadProgress {
  /** e.g. `append`. */
  readonly label: string;
  /** e.g. `items`. */
  readonly unit: string;
  readonly processes: number;
  readonly concurrency: number;
  readonly ops: number;
  readonly retries: number;
  /** What `retries` counts, e.g. `retried`; omitted when it means nothing worth showing. */
  readonly retriesLabel?: string;
}

export interface ProgressSnapshot {
  /** Time into the run, capped at `totalMs` (for the bar). */
  readonly elapsedMs: number;
  /** Time since go, uncapped: rates are computed on it. */
  readonly clockMs: number;
  readonly totalMs: number;
  /** `running`, `draining`, `verifying`. */
  readonly phase: string;
  readonly workloads: readonly WorkloadProgress[];
  /** Items waiting in the queue (its length, sampled). */
  readonly backlog: number;
  readonly backlogLimit: number;
}

const BAR_WIDTH = 28;
const LINE_INTERVAL_MS = 1000;
const RATE_WINDOW_MS = 1000;

function bar(fraction: number, width = BAR_WIDTH): string {
  const filled = Math.round(Math.max(0, Math.min(1, fraction)) * width);
  return `▕${'█'.repeat(filled)}${'░'.repeat(width - filled)}▏`;
}

export class ProgressDisplay {
  readonly #stream: NodeJS.WriteStream;
  readonly #interactive: boolean;
  /** Recent (time, ops) samples per workload, for rates over the last second. */
  readonly #samples = new Map<string, [number, number][]>();
  #drawnLines = 0;
  #lastLineAt = -Infinity;

  /** @param interactive redraw in place (a TTY); otherwise print a line every second */
  constructor(stream: NodeJS.WriteStream, interactive: boolean) {
    this.#stream = stream;
    this.#interactive = interactive;
  }

  /** Shows a snapshot (call it often; plain output throttles itself). */
  update(snapshot: ProgressSnapshot): void {
    const rates = new Map(snapshot.workloads.map((workload) => [workload.label, this.#rate(workload.label, snapshot.clockMs, workload.ops)]));
    if (this.#interactive) {
      this.#redraw(this.#frame(snapshot, rates));
    } else if (snapshot.elapsedMs - this.#lastLineAt >= LINE_INTERVAL_MS) {
      this.#lastLineAt = snapshot.elapsedMs;
      this.#stream.write(`${this.#line(snapshot, rates)}\n`);
    }
  }

  /** Leaves the last frame on screen and moves below it. */
  finish(): void {
    this.#drawnLines = 0;
  }

  #rate(label: string, now: number, ops: number): number {
    let samples = this.#samples.get(label);
    if (samples === undefined) this.#samples.set(label, (samples = []));
    samples.push([now, ops]);
    while (samples.length > 2 && now - samples[0]![0] > RATE_WINDOW_MS) samples.shift();
    const [then, before] = samples[0]!;
    return now > then ? ((ops - before) * 1000) / (now - then) : 0;
  }

  #frame(snapshot: ProgressSnapshot, rates: ReadonlyMap<string, number>): string[] {
    const seconds = `${(snapshot.elapsedMs / 1000).toFixed(1)} s / ${(snapshot.totalMs / 1000).toFixed(0)} s`;
    const lines = [`mcc demo ${bar(snapshot.elapsedMs / snapshot.totalMs)} ${seconds}  ${snapshot.phase}`];
    const labelWidth = Math.max(...snapshot.workloads.map((workload) => workload.label.length));
    for (const workload of snapshot.workloads) {
      const shape = `${workload.processes}×${workload.concurrency}`;
      const rate = `${formatCount(rates.get(workload.label) ?? 0)}/s`;
      let line = `  ${workload.label.padEnd(labelWidth)} ${shape.padStart(4)}  ${formatCount(workload.ops).padStart(10)} ${workload.unit.padEnd(7)} ${rate.padStart(9)}`;
      if (workload.retriesLabel !== undefined && workload.retries > 0) line += `  ${formatCount(workload.retries)} ${workload.retriesLabel}`;
      lines.push(line);
    }
    lines.push(`  ${'backlog'.padEnd(labelWidth)}       ${bar(snapshot.backlog / snapshot.backlogLimit, 20)} ${formatCount(snapshot.backlog)} of ${formatCount(snapshot.backlogLimit)} items waiting`);
    return lines;
  }

  #line(snapshot: ProgressSnapshot, rates: ReadonlyMap<string, number>): string {
    const parts = snapshot.workloads.map((workload) => `${workload.label} ${formatCount(workload.ops)} (${formatCount(rates.get(workload.label) ?? 0)}/s)`);
    return `mcc demo: ${(snapshot.elapsedMs / 1000).toFixed(1)}/${(snapshot.totalMs / 1000).toFixed(0)} s ${snapshot.phase}: ${parts.join(', ')}, backlog ${formatCount(snapshot.backlog)}`;
  }

  #redraw(lines: readonly string[]): void {
    // Up over the previous frame, then each line cleared and rewritten.
    const up = this.#drawnLines > 0 ? `\x1b[${this.#drawnLines}F` : '';
    this.#stream.write(`${up}${lines.map((line) => `\x1b[2K${line}`).join('\n')}\n`);
    this.#drawnLines = lines.length;
  }
}
