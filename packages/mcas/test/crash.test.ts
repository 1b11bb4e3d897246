/**
 * An originator that stops (its hook throws, as a crash would) at every step
 * of an MCAS: other clients reading the keys complete it or roll it back,
 * a transfer between accounts keeps the total exact, and no reference is
 * left behind.
 */
import { useMemcached } from '@mcc/harness';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { describeLocation, mcas, mcasGet, mcasGetMulti, mcasOutcome, McasStatus, type McasStep, type Store } from '../src';
import { descriptorAt, expectNoReferences, rejectionOf, StorePool, uniqueKeys } from './helpers';

const START = [100, 50, 25];
const TOTAL = START.reduce((sum, value) => sum + value, 0);
/** The transfer every scenario attempts: 10 from account 0 to account 1, 5 from 1 to 2. */
const AFTER = [90, 55, 30];

class Crash extends Error {}

function crashAt(target: McasStep): { afterStep(step: McasStep): void } {
  return {
    afterStep(step) {
      if (JSON.stringify(step) === JSON.stringify(target)) throw new Crash(`crashed after ${JSON.stringify(step)}`);
    },
  };
}

describe('an originator crashing at each step', () => {
  const mc = useMemcached(3);
  const pool = new StorePool();
  let originator: Store;
  let reader: Store;
  beforeAll(() => {
    originator = pool.open(mc.addresses);
    reader = pool.open(mc.addresses);
  });
  afterAll(() => pool.closeAll());

  async function accounts(): Promise<string[]> {
    const keys = uniqueKeys('account', START.length);
    await Promise.all(keys.map((key, index) => originator.set(key, START[index])));
    return keys;
  }

  /** Starts the transfer and crashes it at `step`. */
  async function crashedTransfer(keys: readonly string[], step: McasStep): Promise<void> {
    const entries = await mcasGetMulti<number>(originator, keys);
    const updates = keys.map((key, index) => [entries.get(key)!, AFTER[index]] as const);
    expect(await rejectionOf(mcas(originator, updates, { hooks: crashAt(step) }))).toBeInstanceOf(Crash);
  }

  /** Values after every MCAS in flight completed (a second read: the first helps). */
  async function settledValues(keys: readonly string[]): Promise<number[]> {
    await mcasGetMulti(reader, keys);
    const entries = await mcasGetMulti<number>(reader, keys);
    await expectNoReferences(reader, keys);
    return keys.map((key) => entries.get(key)!.value);
  }

  test.each<[string, McasStep, number[]]>([
    ['descriptor-created', 'descriptor-created', START],
    ['acquired 0', { acquired: 0 }, AFTER],
    ['acquired 1', { acquired: 1 }, AFTER],
    ['acquired 2 (all)', { acquired: 2 }, AFTER],
    ['decided', 'decided', AFTER],
    ['released 0 (during release)', { released: 0 }, AFTER],
  ])('after %s: readers see the MCAS whole or not at all', async (_name, step, expected) => {
    const keys = await accounts();
    await crashedTransfer(keys, step);
    // A single read of the last key helps when it holds a reference; a plain value is read as is.
    const last = await mcasGet<number>(reader, keys[2]!);
    expect([START[2], AFTER[2]]).toContain(last?.value);
    const values = await settledValues(keys);
    expect(values).toEqual(expected);
    expect(values.reduce((sum, value) => sum + value, 0)).toBe(TOTAL);
  });

  test('each location read alone with mcasGet completes the MCAS the first one belongs to', async () => {
    const keys = await accounts();
    await crashedTransfer(keys, { acquired: 1 });
    const descriptorKey = await descriptorAt(reader, keys[0]!);
    const helped: unknown[] = [];
    const listener = (message: unknown): void => void helped.push(message);
    subscribe('mcc:mcas:help', listener);
    let first;
    try {
      first = await mcasGet<number>(reader, keys[0]!);
    } finally {
      unsubscribe('mcc:mcas:help', listener);
    }
    expect(first?.value).toBe(AFTER[0]);
    expect(helped).toEqual([{ descriptorKey, origin: keys[0], result: 'succeeded' }]);
    // The helper acquired and released the rest: no reference anywhere, all new.
    await expectNoReferences(reader, keys);
    expect(await settledValues(keys)).toEqual(AFTER);
  });

  test('a crashed MCAS is rolled back when a later location changed first', async () => {
    const keys = await accounts();
    const [other] = uniqueKeys('account:other', 1);
    await originator.set(other!, 0);
    await crashedTransfer(keys, { acquired: 0 });
    // Another transfer moves 7 from account 2 (not yet acquired by the crashed MCAS) to `other`.
    const entries = await mcasGetMulti<number>(reader, [keys[2]!, other!]);
    expect(await mcas(reader, [[entries.get(keys[2]!)!, START[2]! - 7], [entries.get(other!)!, 7]])).toBe(true);
    const values = await settledValues(keys);
    expect(values).toEqual([START[0], START[1], START[2]! - 7]);
    expect(values.reduce((sum, value) => sum + value, 0) + (await mcasGet<number>(reader, other!))!.value).toBe(TOTAL);
  });

  test('a new MCAS on a location of a crashed one helps it first, then succeeds', async () => {
    const keys = await accounts();
    await crashedTransfer(keys, { acquired: 1 });
    const entries = await mcasGetMulti<number>(reader, [keys[1]!, keys[2]!]);
    expect(entries.get(keys[1]!)?.value).toBe(AFTER[1]);
    expect(await mcas(reader, [[entries.get(keys[1]!)!, AFTER[1]! - 1], [entries.get(keys[2]!)!, AFTER[2]! + 1]])).toBe(true);
    expect(await settledValues(keys)).toEqual([AFTER[0], AFTER[1]! - 1, AFTER[2]! + 1]);
  });

  test('an MCAS meeting a crashed one on a location fails at once, then helps it finish', async () => {
    const keys = await accounts();
    const stale = await mcasGetMulti<number>(reader, keys); // read before the crash
    await crashedTransfer(keys, { acquired: 0 });
    // Our entries for keys 0 and 2 are stale now only in that key 0 holds the crashed MCAS's reference.
    expect(await mcas(reader, [[stale.get(keys[0]!)!, 0], [stale.get(keys[2]!)!, 0]])).toBe(false);
    // Failing, it helped the crashed MCAS to completion: no reference left, the transfer applied.
    await expectNoReferences(reader, keys);
    const raw = await reader.getMulti<number>(keys);
    expect(keys.map((key) => raw.get(key)!.value)).toEqual(AFTER);
  });

  test('mcasOutcome completes a crashed MCAS and tells its outcome; null once the descriptor is gone', async () => {
    const keys = await accounts();
    await crashedTransfer(keys, { acquired: 0 });
    const descriptorKey = await descriptorAt(reader, keys[0]!);
    expect(await mcasOutcome(reader, descriptorKey)).toBe(true);
    expect(await mcasOutcome(reader, descriptorKey)).toBe(true); // decided for good
    expect(await settledValues(keys)).toEqual(AFTER);
    await reader.delete(descriptorKey);
    expect(await mcasOutcome(reader, descriptorKey)).toBeNull();
  });

  test('a partial release (crash after the decision, one location written by hand) is finished by readers', async () => {
    const keys = await accounts();
    await crashedTransfer(keys, 'decided');
    const raw = await originator.get(keys[1]!);
    expect(describeLocation(raw!).type).toBe('reference');
    expect(await originator.cas(raw!, AFTER[1])).not.toBeNull(); // what the originator's release would have written there
    expect(await settledValues(keys)).toEqual(AFTER);
  });

  test('an originator whose hook is stale sees a decision made by helpers: mcas returns the truth', async () => {
    const keys = await accounts();
    const entries = await mcasGetMulti<number>(originator, keys);
    const updates = keys.map((key, index) => [entries.get(key)!, AFTER[index]] as const);
    let descriptorKey = '';
    const ok = await mcas(originator, updates, {
      hooks: {
        async afterStep(step) {
          // While the originator pauses after its first acquisition, a reader completes the MCAS for it.
          if (typeof step === 'object' && 'acquired' in step && step.acquired === 0) {
            descriptorKey = await descriptorAt(reader, keys[0]!);
            expect((await mcasGet<number>(reader, keys[0]!))?.value).toBe(AFTER[0]);
          }
        },
      },
    });
    expect(ok).toBe(true);
    expect(await settledValues(keys)).toEqual(AFTER);
    await new Promise((resolve) => setImmediate(resolve));
    expect(await reader.get(descriptorKey)).toBeNull(); // the originator still collected its descriptor
  });

  test('after a crash the descriptor stays (for helpers) with its decision; an uncrashed MCAS leaves nothing', async () => {
    const keys = await accounts();
    let descriptorKey = '';
    const entries = await mcasGetMulti<number>(originator, keys);
    const updates = keys.map((key, index) => [entries.get(key)!, AFTER[index]] as const);
    const crash = crashAt({ released: 0 });
    await rejectionOf(
      mcas(originator, updates, {
        hooks: {
          async afterStep(step) {
            if (step === 'descriptor-created') return;
            if (descriptorKey === '') descriptorKey = await descriptorAt(reader, keys[0]!);
            crash.afterStep(step);
          },
        },
      }),
    );
    const descriptor = await reader.get(descriptorKey);
    expect(describeLocation(descriptor!)).toMatchObject({ type: 'descriptor', status: McasStatus.Succeeded, keys: [...keys].sort() });
  });
});
