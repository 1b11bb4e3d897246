/**
 * Bad arguments to mcasUpdate and mcas (as JavaScript callers pass them,
 * past the types) get an InvalidArgumentError before anything is read or
 * written — never a plain TypeError from deep inside the retry loop.
 */
import { useMemcached } from '@mcc/harness';
import { InvalidArgumentError, mcas, mcasGet, mcasGetMulti, mcasOutcome, mcasUpdate, type Store } from '../src';
import { rejectionOf, StorePool, uniqueKeys } from './helpers';

const mc = useMemcached(1);
const pool = new StorePool();
let store: Store;
beforeAll(() => {
  store = pool.open(mc.addresses);
});
afterAll(() => pool.closeAll());

test.each<[string, unknown, unknown]>([
  ['compute is not a function', 'not a function', {}],
  ['compute is null', null, {}],
  ["signal: 'x'", () => undefined, { signal: 'x' }],
  ['signal: {}', () => undefined, { signal: {} }],
  ['options: null', () => undefined, null],
  ["maxAttempts: '5'", () => undefined, { maxAttempts: '5' }],
  ['maxAttempts: NaN', () => undefined, { maxAttempts: NaN }],
])('mcasUpdate with %s is an InvalidArgumentError, and nothing is written', async (_name, compute, options) => {
  const [key] = uniqueKeys('args', 1);
  const entry = await store.set(key!, 1);
  const error = await rejectionOf(mcasUpdate(store, [key!], compute as never, options as never));
  expect(error).toBeInstanceOf(InvalidArgumentError);
  expect((await mcasGet(store, key!))?.cas).toBe(entry.cas);
});

test('mcasUpdate with keys that are not an array of strings is an InvalidArgumentError', async () => {
  expect(await rejectionOf(mcasUpdate(store, 'key' as never, () => undefined))).toBeInstanceOf(InvalidArgumentError);
  expect(await rejectionOf(mcasUpdate(store, [1] as never, () => undefined))).toBeInstanceOf(InvalidArgumentError);
});

test('mcas with hooks that are not functions, or options that are not an object, is an InvalidArgumentError', async () => {
  const keys = uniqueKeys('hooks', 2);
  const entries = await Promise.all(keys.map((key) => store.set(key, 0)));
  const updates = entries.map((entry) => [entry, 1] as const);
  expect(await rejectionOf(mcas(store, updates, { hooks: { afterStep: 'x' as never } }))).toBeInstanceOf(InvalidArgumentError);
  expect(await rejectionOf(mcas(store, updates, 'fast' as never))).toBeInstanceOf(InvalidArgumentError);
  for (const entry of entries) expect((await mcasGet(store, entry.key))?.cas).toBe(entry.cas);
});

test.each([null, undefined, 'localhost:11211', {}])('a store that is not a Store (%p) is an InvalidArgumentError everywhere', async (notAStore) => {
  const bad = notAStore as unknown as Store;
  for (const call of [() => mcas(bad, []), () => mcasGet(bad, 'k'), () => mcasGetMulti(bad, ['k']), () => mcasUpdate(bad, ['k'], () => undefined), () => mcasOutcome(bad, 'k')]) {
    expect(await rejectionOf(call())).toBeInstanceOf(InvalidArgumentError);
  }
});
