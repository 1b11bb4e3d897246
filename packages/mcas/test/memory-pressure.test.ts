/**
 * MCAS locations on a full `-M` server (memcached refuses new items instead
 * of evicting). The server fills up at each step of an MCAS in turn (the
 * testing hook fills it), so the acquisition, the decision or the release
 * is refused; then more MCASes are refused on the full server. None of it
 * may destroy a location or make a refused MCAS take effect: once memory is
 * free again, the locations hold exactly what the acknowledged MCASes wrote.
 *
 * memcached 1.6.18 unlinks the key's current item when it refuses a `set`
 * (CAS or not), so a conditional write done that way destroys the location
 * (docs/FORMAT.md, "Server facts").
 */
import { fillMemory, useMemcached, type FilledMemory } from '@mcc/harness';
import { mcas, mcasGetMulti, McasOutcomeUnknownError, ServerError, type McasStep, type Store } from '../src';
import { expectNoReferences, StorePool, uniqueKeys } from './helpers';

const memcached = useMemcached(1, { evictions: false, memoryMb: 2 });
const pool = new StorePool();
afterAll(() => pool.closeAll());

const OUT_OF_MEMORY = 0x0082;
const START = [100, 50, 25];
const AFTER = [90, 55, 30];

type Outcome = 'applied' | 'not-applied' | 'unknown';

/** Runs `mcas` from `entries` to `values`, classifying its result; only "out of memory" may fail it. */
async function attempt(store: Store, keys: readonly string[], values: readonly number[], hooks?: { afterStep(step: McasStep): Promise<void> }): Promise<Outcome> {
  try {
    const entries = await mcasGetMulti<number>(store, keys);
    const updates = keys.map((key, index) => [entries.get(key)!, values[index]] as const);
    return (await mcas(store, updates, hooks === undefined ? {} : { hooks })) ? 'applied' : 'not-applied';
  } catch (error) {
    if (error instanceof McasOutcomeUnknownError) return 'unknown';
    // A refusal: nothing happened (a read that had to help an unfinished MCAS is refused the same way).
    expect(error).toBeInstanceOf(ServerError);
    expect((error as ServerError).status).toBe(OUT_OF_MEMORY);
    return 'not-applied';
  }
}

test.each<[string, McasStep]>([
  ['the first acquisition', 'descriptor-created'],
  ['a later acquisition', { acquired: 0 }],
  ['the decision', { acquired: 2 }],
  ['the release', 'decided'],
])('refused at %s, then refused again and again: locations intact, outcome as reported', async (_name, fillAt) => {
  const store = pool.open(memcached.addresses);
  const keys = uniqueKeys('oom', START.length);
  for (const [index, key] of keys.entries()) await store.set(key, START[index]);

  let filled: FilledMemory | undefined;
  const hooks = {
    async afterStep(step: McasStep): Promise<void> {
      if (filled === undefined && JSON.stringify(step) === JSON.stringify(fillAt)) filled = await fillMemory(memcached.addresses[0]!);
    },
  };
  let first: Outcome;
  const later: Outcome[] = [];
  try {
    first = await attempt(store, keys, AFTER, hooks);
    expect(filled).toBeDefined();
    // On the full server every further attempt is refused (or, if a reader's help is refused, never starts).
    for (let i = 0; i < 10; i++) later.push(await attempt(store, keys, [1, 2, 3]));
  } finally {
    await filled?.release(); // the next scenario needs the memory back, whatever happened here
  }
  expect(later).toEqual(Array(10).fill('not-applied'));

  const entries = await mcasGetMulti<number>(store, keys);
  const values = keys.map((key) => entries.get(key)?.value);
  if (first === 'applied') expect(values).toEqual(AFTER);
  else if (first === 'not-applied') expect(values).toEqual(START);
  else expect([START, AFTER]).toContainEqual(values); // unknown: either, but atomically
  await expectNoReferences(store, keys);
});

test('transfers from separate connections racing a filling server keep the total, and leave no reference', async () => {
  const setup = pool.open(memcached.addresses);
  const accounts = uniqueKeys('bank', 4);
  for (const key of accounts) await setup.set(key, 100);
  const clients = [0, 1, 2].map(() => pool.open(memcached.addresses));
  let full = false;
  const outcomes = { applied: 0, 'not-applied': 0, unknown: 0 };
  /** Moves 1 between two accounts, again and again, while the server fills up and 20 times once it is full. */
  const transfer = async (store: Store, c: number): Promise<void> => {
    for (let i = 0, afterFull = 0; afterFull < 20 && i < 3000; i++, afterFull += full ? 1 : 0) {
      const from = accounts[(c + i) % accounts.length]!;
      const to = accounts[(c + i + 1) % accounts.length]!;
      let outcome: Outcome;
      try {
        const entries = await mcasGetMulti<number>(store, [from, to]);
        outcome = (await mcas(store, [[entries.get(from)!, entries.get(from)!.value - 1], [entries.get(to)!, entries.get(to)!.value + 1]])) ? 'applied' : 'not-applied';
      } catch (error) {
        if (error instanceof McasOutcomeUnknownError) outcome = 'unknown';
        else {
          expect(error).toBeInstanceOf(ServerError);
          outcome = 'not-applied';
        }
      }
      outcomes[outcome]++;
    }
  };
  const running = clients.map((store, c) => transfer(store, c));
  const filled = await fillMemory(memcached.addresses[0]!);
  full = true;
  await Promise.all(running);
  await filled.release();

  const balances = await mcasGetMulti<number>(setup, accounts);
  expect(accounts.reduce((sum, key) => sum + balances.get(key)!.value, 0)).toBe(400);
  await expectNoReferences(setup, accounts);
  expect(outcomes.applied).toBeGreaterThan(0);
  expect(outcomes['not-applied'] + outcomes.unknown).toBeGreaterThan(0);
});
