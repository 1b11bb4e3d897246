/**
 * `mcasUpdate`: the read-modify-MCAS loop every caller of `mcas` writes,
 * with the back-off that keeps hot locations usable.
 *
 * A lost race (`mcas` returned false) means another MCAS on an overlapping
 * location succeeded — progress, but retrying at once against the same hot
 * locations mostly loses again. After each lost race the loop waits a random
 * time up to a ceiling that doubles from `minBackoffMs` to `maxBackoffMs`
 * ("full jitter"), which spreads the contenders out.
 */
import { InvalidArgumentError, type Entry, type Store } from '@mcc/codec';
import { McasContentionError } from './errors';
import { mcas } from './mcas';
import { mcasGetMulti } from './mcas-get';
import { checkStore, checkUpdateArguments, type McasOptions } from './options';

export interface McasUpdateOptions extends McasOptions {
  /** Attempts before giving up with McasContentionError. Default 1000. */
  maxAttempts?: number;
  /** First back-off ceiling after a lost race, in ms. Default 1. */
  minBackoffMs?: number;
  /** Largest back-off ceiling, in ms. Default 100. */
  maxBackoffMs?: number;
  /** Stops retrying: the promise rejects with the signal's reason. */
  signal?: AbortSignal;
}

/**
 * Reads `keys` (through `mcasGetMulti`), lets `compute` derive new values
 * from the entries found, and writes them all atomically with `mcas`,
 * retrying with jittered back-off until it applies.
 *
 * @param compute gets the current entries by key (missing keys are absent) and
 *   returns the new values as `[key, value]` pairs (a `Map` works), every key
 *   among those read; or `undefined` to stop without writing.
 * @returns true once written; false if `compute` returned undefined.
 * @throws McasContentionError after `maxAttempts` lost races.
 */
export async function mcasUpdate<T>(
  store: Store,
  keys: readonly string[],
  compute: (entries: ReadonlyMap<string, Entry<T>>) => Iterable<readonly [string, T]> | undefined,
  options: McasUpdateOptions = {},
): Promise<boolean> {
  checkStore(store, 'mcasUpdate');
  checkUpdateArguments(keys, compute, options);
  const { maxAttempts = 1000, minBackoffMs = 1, maxBackoffMs = 100, signal, ...mcasOptions } = options;
  if (!(maxAttempts >= 1) || !(minBackoffMs >= 0) || !(maxBackoffMs >= minBackoffMs)) {
    throw new InvalidArgumentError('mcasUpdate needs maxAttempts ≥ 1 and 0 ≤ minBackoffMs ≤ maxBackoffMs');
  }
  for (let attempt = 1; ; attempt++) {
    signal?.throwIfAborted();
    const entries = await mcasGetMulti<T>(store, keys);
    const changes = compute(entries);
    if (changes === undefined) return false;
    const updates = [...changes].map(([key, value]): readonly [Entry<T>, T] => {
      const entry = entries.get(key);
      if (entry === undefined) throw new InvalidArgumentError(`mcasUpdate: ${JSON.stringify(key)} was not read (missing, or not among the keys)`, { key });
      return [entry, value];
    });
    if (await mcas(store, updates, mcasOptions)) return true;
    if (attempt >= maxAttempts) throw new McasContentionError(keys[0] ?? '', attempt, `mcasUpdate lost the race ${attempt} times in a row`);
    const ceiling = Math.min(maxBackoffMs, minBackoffMs * 2 ** (attempt - 1));
    await sleep(Math.random() * ceiling, signal);
  }
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
