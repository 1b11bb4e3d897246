/**
 * The contract between the bench CLI and a suite.
 *
 * A suite is one file, `src/suites/<name>.ts`, exporting `suite`; the CLI
 * finds it by name (see `suite-registry.ts`), starts the memcached servers it
 * asks for, runs it, and prints or serialises what it returns. Suites never
 * print results themselves, so `--json` stays clean.
 */
import type { MemcachedOptions } from '@mcc/harness';
import type { Table } from './report';

/** Timing knobs shared by every suite (from the command line). */
export interface BenchSettings {
  /** Measured seconds per subject and cell, split evenly across the rounds. */
  seconds: number;
  /** Unrecorded seconds before each measured round. */
  warmupSeconds: number;
  /** Rounds per cell; the order of the subjects alternates between rounds. */
  rounds: number;
}

export interface SuiteContext {
  /** `host:port` of the servers to use: started by the CLI, or from `--servers`. */
  readonly servers: readonly string[];
  readonly settings: Readonly<BenchSettings>;
  /** `--cells` selectors (see cli-args.ts `cellSelected`); null = every cell. */
  readonly cells: readonly (readonly string[])[] | null;
  /** Aborted on Ctrl-C / SIGTERM: stop promptly, the CLI cleans up. */
  readonly signal: AbortSignal;
  /** A progress line for the operator (stderr; never mixed into --json). */
  progress(message: string): void;
}

export interface SuiteReport {
  readonly suite: string;
  readonly title: string;
  readonly tables: readonly Table[];
  /** Short findings printed under the tables, e.g. whether targets were met. */
  readonly notes: readonly string[];
  /** Raw numbers for `--json`: must be JSON-serialisable. */
  readonly results: unknown;
}

export interface Suite {
  /** Equal to the file name: `pnpm bench <name>` loads `suites/<name>`. */
  readonly name: string;
  /** One line for `--help`. */
  readonly description: string;
  /** memcached servers to start (0 for a suite that needs none); ignored with `--servers`. */
  readonly servers: number;
  readonly memcached?: MemcachedOptions;
  run(context: SuiteContext): Promise<SuiteReport>;
}
