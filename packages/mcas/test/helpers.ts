/**
 * Shared helpers of the integration suites (not a test file).
 */
import { connect, describeLocation, type ConnectOptions, type Store } from '../src';

let counter = 0;

/** Keys no other test (or earlier run against a reused server) has used. */
export function uniqueKeys(prefix: string, count: number): string[] {
  counter++;
  const base = `${prefix}:${process.pid}:${Date.now().toString(36)}:${counter}`;
  return Array.from({ length: count }, (_, index) => `${base}:${index}`);
}

/** Stores opened by a suite, closed by {@link closeStores} in afterAll/afterEach. */
export class StorePool {
  readonly #stores: Store[] = [];

  open(servers: readonly string[], options: ConnectOptions = {}): Store {
    const store = connect(servers, options);
    this.#stores.push(store);
    return store;
  }

  async closeAll(): Promise<void> {
    await Promise.all(this.#stores.splice(0).map((store) => store.close()));
  }
}

/** Asserts that no key holds an MCAS reference (read with a plain get). */
export async function expectNoReferences(store: Store, keys: readonly string[]): Promise<void> {
  const raw = await store.getMulti(keys);
  const references = [...raw.values()].filter((entry) => describeLocation(entry).type !== 'value').map((entry) => entry.key);
  expect(references).toEqual([]);
}

/** The error a promise rejects with; fails the test if it resolves. */
export async function rejectionOf(promise: Promise<unknown>): Promise<Error> {
  try {
    const value = await promise;
    throw new Error(`expected a rejection, but it resolved with ${String(value)}`);
  } catch (error) {
    if (!(error instanceof Error)) throw new Error(`rejected with a non-Error: ${String(error)}`);
    if (error.message.startsWith('expected a rejection')) throw error;
    return error;
  }
}

/** The descriptor a location's reference points at (read with a plain get); fails if it holds none. */
export async function descriptorAt(store: Store, key: string): Promise<string> {
  const entry = await store.get(key);
  const description = entry === null ? null : describeLocation(entry);
  if (description?.type !== 'reference') throw new Error(`${key} holds no reference: ${JSON.stringify(description)}`);
  return description.descriptorKey;
}
