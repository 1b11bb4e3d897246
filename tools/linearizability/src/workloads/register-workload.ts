/**
 * A client of MCAS registers for recording histories: read a few locations
 * (with `mcasGetMulti`), then MCAS them all to fresh values; repeat.
 *
 * `mcasGetMulti` is not a snapshot across keys, so each key's read is
 * recorded as its own single-key `read` with the call's interval. Every
 * value written is unique (`c<client>-<n>`), which the value-comparing model
 * needs. The MCAS functions are passed in (`RegisterApi`), so this package
 * needs no dependency on @mcc/mcas.
 */
import type { HistoryRecorder } from '../history';
import type { RegisterInput, RegisterOutput } from '../models/register-model';

/** An entry as `mcasGetMulti` returns it: the value, and whatever `mcas` needs (key, CAS). */
export interface RegisterEntry {
  readonly value: unknown;
}

export interface RegisterApi<E extends RegisterEntry> {
  /** `keys => mcasGetMulti(store, keys)` */
  read(keys: readonly string[]): Promise<ReadonlyMap<string, E>>;
  /** `updates => mcas(store, updates)` */
  mcas(updates: readonly (readonly [E, string])[]): Promise<boolean>;
}

export type RegisterRecorder = HistoryRecorder<RegisterInput<string>, RegisterOutput<string>>;

export interface RegisterClientOptions {
  readonly client: number;
  /** Read-then-MCAS rounds. */
  readonly rounds: number;
  readonly random: () => number;
  /** The locations to choose from. */
  readonly keys: readonly string[];
  /** Most locations per MCAS (1 … this many, at random); default 3. */
  readonly maxPer?: number;
  readonly pauseAfterErrorMs?: number;
}

function choose(random: () => number, keys: readonly string[], count: number): string[] {
  const pool = [...keys];
  const chosen: string[] = [];
  while (chosen.length < count && pool.length > 0) chosen.push(pool.splice(Math.floor(random() * pool.length), 1)[0]!);
  return chosen;
}

/** Reads `keys`, recording one single-key read per key over the same interval; null if the read failed. */
async function recordedRead<E extends RegisterEntry>(api: RegisterApi<E>, recorder: RegisterRecorder, client: number, keys: readonly string[]): Promise<ReadonlyMap<string, E> | null> {
  const pending = keys.map((key) => ({ key, operation: recorder.invoke(client, { op: 'read', keys: [key] }) }));
  try {
    const entries = await api.read(keys);
    for (const { key, operation } of pending) operation.ok([(entries.get(key)?.value as string | undefined) ?? null]);
    return entries;
  } catch (error) {
    for (const { operation } of pending) operation.fail(error);
    return null;
  }
}

export async function runRegisterClient<E extends RegisterEntry>(api: RegisterApi<E>, recorder: RegisterRecorder, options: RegisterClientOptions): Promise<void> {
  const pause = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, options.pauseAfterErrorMs ?? 20));
  for (let round = 0; round < options.rounds; round++) {
    const keys = choose(options.random, options.keys, 1 + Math.floor(options.random() * (options.maxPer ?? 3)));
    const entries = await recordedRead(api, recorder, options.client, keys);
    if (entries === null || keys.some((key) => !entries.has(key))) {
      await pause();
      continue;
    }
    const updates = keys.map((key, index) => [entries.get(key)!, `c${options.client}-${round}-${index}`] as const);
    const input: RegisterInput<string> = {
      op: 'mcas',
      updates: updates.map(([entry, value], index) => ({ key: keys[index]!, expected: entry.value as string, value })),
    };
    try {
      await recorder.record(options.client, input, () => api.mcas(updates));
    } catch {
      await pause();
    }
  }
}

/** Reads every key once more, recorded as `client`, after the run. */
export async function finalRead<E extends RegisterEntry>(api: RegisterApi<E>, recorder: RegisterRecorder, client: number, keys: readonly string[]): Promise<void> {
  for (const key of keys) await recordedRead(api, recorder, client, [key]);
}
