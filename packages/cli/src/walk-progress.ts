/**
 * Progress of a deque walk (`mcc fsck`, `mcc inspect`) on stderr: the walk
 * itself (`inspectDeque`) reads chunks and large values in batches through
 * the store's `getMulti`, so a store that counts what those batches read
 * tells how far it got. Silent for walks shorter than a second; a redrawn
 * line on a terminal, a plain line per second otherwise.
 */
import { Store, type Entry } from '@mcc/deque';
import { Client, type ClientOptions } from '@mcc/protocol';
import { formatCount } from './format';

const QUIET_FOR_MS = 1000;
const EVERY_MS = 1000;

/** A Store that counts the records its getMulti calls read. */
export class CountingStore extends Store {
  recordsRead = 0;

  override async getMulti<T = unknown>(keys: Iterable<string>): Promise<Map<string, Entry<T>>> {
    const list = [...keys];
    const found = await super.getMulti<T>(list);
    this.recordsRead += list.length;
    return found;
  }
}

/** Creates a counting store over `servers`. */
export function countingStore(servers: readonly string[], options: ClientOptions): CountingStore {
  return new CountingStore(new Client([...servers], options));
}

/** Shows `store.recordsRead` while `work` runs; returns what it resolves to. */
export async function withWalkProgress<T>(label: string, store: CountingStore, work: Promise<T>, stream: NodeJS.WriteStream = process.stderr): Promise<T> {
  const started = Date.now();
  const interactive = stream.isTTY === true;
  let shown = false;
  const show = (): void => {
    const line = `mcc: ${label}: ${formatCount(store.recordsRead)} records read (chunks and large values), ${((Date.now() - started) / 1000).toFixed(0)} s`;
    stream.write(interactive ? `\r\x1b[2K${line}` : `${line}\n`);
    shown = true;
  };
  let timer: NodeJS.Timeout | undefined;
  const first = setTimeout(() => {
    show();
    timer = setInterval(show, EVERY_MS);
  }, QUIET_FOR_MS);
  try {
    return await work;
  } finally {
    clearTimeout(first);
    if (timer !== undefined) clearInterval(timer);
    if (shown && interactive) stream.write('\n');
  }
}
