/**
 * Export in the formats of Porcupine (github.com/anishathalye/porcupine), so
 * a history can be checked with another implementation and looked at in
 * its visualizer.
 *
 * - `operations`: Porcupine's `[]Operation` as Go's encoding/json reads it —
 *   `{ClientId, Input, Call, Output, Return}`, times in µs. Go has no
 *   open-ended operation: one is given `Return` after the history's last
 *   event (Jepsen's "returns at infinity") and `Output`
 *   `{"Unknown": true, "Error": code}`, which a Go model must accept with
 *   any effect (or none).
 * - `visualization`: the data Porcupine's visualizer (visualization/index.js)
 *   renders — `{Partitions: [{History, PartialLinearizations, Largest}],
 *   Annotations}` — with the linearization found, or for a violation the
 *   longest linearizable prefix.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { CheckResult } from './checker';
import type { HistoryOperation } from './history';
import type { Model } from './model';

export interface PorcupineOperation {
  readonly ClientId: number;
  readonly Input: unknown;
  readonly Call: number;
  readonly Output: unknown;
  readonly Return: number;
}

export interface PorcupineVisualization {
  readonly Partitions: readonly {
    readonly History: readonly { ClientId: number; Start: number; End: number; Description: string }[];
    readonly PartialLinearizations: readonly (readonly { Index: number; StateDescription: string }[])[];
    readonly Largest: Readonly<Record<number, number>>;
  }[];
  readonly Annotations: readonly unknown[];
}

/** The output Porcupine sees for an open-ended operation. */
export interface PorcupineUnknownOutput {
  readonly Unknown: true;
  readonly Error: string;
}

/** The end of the history plus one µs: "returns at infinity" for open-ended operations. */
function afterEverything(operations: readonly HistoryOperation[]): number {
  let last = 0;
  for (const operation of operations) last = Math.max(last, operation.call, operation.return ?? 0);
  return last + 1;
}

export function toPorcupineOperations(operations: readonly HistoryOperation[]): PorcupineOperation[] {
  const end = afterEverything(operations);
  return operations.map((operation) => ({
    ClientId: operation.client,
    Input: operation.input,
    Call: operation.call,
    Output: operation.return === null ? ({ Unknown: true, Error: operation.error ?? 'no response' } satisfies PorcupineUnknownOutput) : operation.output,
    Return: operation.return ?? end,
  }));
}

/** Reads back what {@link toPorcupineOperations} wrote. */
export function fromPorcupineOperations<I, O>(operations: readonly PorcupineOperation[]): HistoryOperation<I, O>[] {
  return operations.map((operation) => {
    const output = operation.Output as Partial<PorcupineUnknownOutput> | null;
    const open = typeof output === 'object' && output !== null && output.Unknown === true;
    if (open) return { client: operation.ClientId, input: operation.Input as I, call: operation.Call, return: null, error: String(output.Error) };
    return { client: operation.ClientId, input: operation.Input as I, call: operation.Call, return: operation.Return, output: operation.Output as O };
  });
}

export function toPorcupineVisualization<S, I, O>(model: Model<S, I, O>, operations: readonly HistoryOperation<I, O>[], result: CheckResult): PorcupineVisualization {
  const end = afterEverything(operations);
  const history = operations.map((operation) => ({
    ClientId: operation.client,
    Start: operation.call,
    End: operation.return ?? end,
    Description: model.describeOperation(operation.input, operation.return === null ? undefined : operation.output),
  }));
  const order = result.kind === 'ok' ? result.linearization : result.kind === 'violation' ? result.longestPrefix : [];
  let state = model.init();
  const steps = order.map((index) => {
    const operation = operations[index]!;
    state = model.step(state, operation.input, operation.return === null ? undefined : operation.output).state;
    return { Index: index, StateDescription: model.describeState(state) };
  });
  const largest: Record<number, number> = {};
  for (const index of order) largest[index] = 0;
  return { Partitions: [{ History: history, PartialLinearizations: steps.length === 0 ? [] : [steps], Largest: largest }], Annotations: [] };
}

/** What {@link savePorcupineHistory} writes. */
export interface PorcupineFile {
  readonly model: string;
  readonly result: CheckResult['kind'];
  readonly operations: readonly PorcupineOperation[];
  readonly visualization: PorcupineVisualization;
}

export function toPorcupineFile<S, I, O>(model: Model<S, I, O>, operations: readonly HistoryOperation<I, O>[], result: CheckResult): PorcupineFile {
  return {
    model: model.name,
    result: result.kind,
    operations: toPorcupineOperations(operations),
    visualization: toPorcupineVisualization(model, operations, result),
  };
}

/**
 * Writes the history (and the check's result) as JSON to `path`, creating its
 * folder if need be (a failing history must never be lost to a missing
 * `--save-dir`): `jq .operations` is Porcupine's `[]Operation`.
 */
export async function savePorcupineHistory<S, I, O>(path: string, model: Model<S, I, O>, operations: readonly HistoryOperation<I, O>[], result: CheckResult): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, `${JSON.stringify(toPorcupineFile(model, operations, result), null, 1)}\n`);
}
