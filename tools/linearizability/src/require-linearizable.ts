/**
 * The tests' one way to check a recorded history: check it, and when it is
 * not shown linearizable save it (Porcupine JSON, in a fresh folder under
 * the system's temporary directory) and throw an error that names the file
 * — a failure that cannot be looked at cannot be fixed.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type CheckOptions, type CheckResult, checkLinearizability } from './checker';
import type { HistoryOperation } from './history';
import type { Model } from './model';
import { savePorcupineHistory } from './porcupine';

export interface RequireOptions extends CheckOptions {
  /** Names the saved file and the error, e.g. `deque-seed-7`. */
  readonly name: string;
}

/** Resolves to the 'ok' result, or rejects naming the saved history (see the file comment). */
export async function requireLinearizable<S, I, O>(model: Model<S, I, O>, operations: readonly HistoryOperation<I, O>[], options: RequireOptions): Promise<Extract<CheckResult, { kind: 'ok' }>> {
  const result = checkLinearizability(model, operations, options);
  if (result.kind === 'ok') return result;
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'mcc-lin-')), `${options.name}.json`);
  await savePorcupineHistory(file, model, operations, result);
  const reason = result.kind === 'unknown' ? ` (${result.reason})` : '';
  throw new Error(`${options.name}: ${result.kind}${reason}; history of ${operations.length} operations saved to ${file}`);
}
