/**
 * Bad arguments (as JavaScript callers pass them, past the types) get an
 * InvalidArgumentError at once — never a hang, a plain TypeError, an option
 * silently ignored, or a change to the deque.
 */
import { useMemcached } from '@mcc/harness';
import { Deque, InvalidArgumentError, type Store } from '../src';
import { storeFactory } from './helpers';

const memcached = useMemcached(1, { evictions: false });
const stores = storeFactory();
afterAll(() => stores.closeAll());

/** The call's rejection within 1 s (a hang fails the test). */
async function refusal(call: () => Promise<unknown> | AsyncGenerator<unknown>): Promise<unknown> {
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise((resolve) => {
    timer = setTimeout(() => resolve('still pending after 1 s'), 1000);
  });
  try {
    const started = call();
    const promise = Symbol.asyncIterator in started ? (started as AsyncGenerator<unknown>).next() : (started as Promise<unknown>);
    return await Promise.race([promise.then((value) => ({ resolved: value }), (error: unknown) => error), hang]);
  } finally {
    clearTimeout(timer);
  }
}

const anyDeque = (): Deque<unknown> => Deque.bind<unknown>(stores.open(memcached.addresses), 'arguments-unused');

test.each<[string, (deque: Deque<unknown>) => Promise<unknown> | AsyncGenerator<unknown>]>([
  ['popWait({ timeoutMs: NaN })', (deque) => deque.popWait({ timeoutMs: NaN })],
  ["popWait({ timeoutMs: '100' })", (deque) => deque.popWait({ timeoutMs: '100' as unknown as number })],
  ['popLeftWait({ timeoutMs: -1 })', (deque) => deque.popLeftWait({ timeoutMs: -1 })],
  ["popWait({ signal: 'x' })", (deque) => deque.popWait({ signal: 'x' as unknown as AbortSignal })],
  ['popWait(null)', (deque) => deque.popWait(null as unknown as object)],
  ["consume({ signal: 'x' })", (deque) => deque.consume({ signal: 'x' as unknown as AbortSignal })],
  ['extend(5)', (deque) => deque.extend(5 as unknown as number[])],
  ['extendLeft(null)', (deque) => deque.extendLeft(null as unknown as number[])],
  ['moveTo(null)', (deque) => deque.moveTo(null as unknown as Deque<unknown>)],
  ['moveTo({})', (deque) => deque.moveTo({} as unknown as Deque<unknown>)],
])('%s is an InvalidArgumentError', async (_name, call) => {
  const error = await refusal(() => call(anyDeque()));
  expect(error).toBeInstanceOf(InvalidArgumentError);
});

test("moveTo(other, { from: 'up' }) and { to: 1 } are refused, and nothing moves", async () => {
  const store = stores.open(memcached.addresses);
  const source = await Deque.create<number>(store);
  const target = await Deque.create<number>(store);
  await source.extend([1, 2, 3]);
  expect(await refusal(() => source.moveTo(target, { from: 'up' as 'left' }))).toBeInstanceOf(InvalidArgumentError);
  expect(await refusal(() => source.moveTo(target, { to: 1 as unknown as 'left' }))).toBeInstanceOf(InvalidArgumentError);
  expect(await refusal(() => source.moveTo(source, { from: 'middle' as 'left' }))).toBeInstanceOf(InvalidArgumentError);
  expect(await source.length()).toBe(3);
  expect(await target.length()).toBe(0);
});

test.each<[string, Record<string, unknown>]>([
  ['flushBytes: 0', { flushBytes: 0 }],
  ['flushBytes: NaN', { flushBytes: NaN }],
  ['flushBytes: 1e12', { flushBytes: 1e12 }],
  ['flushBytes: 1.5', { flushBytes: 1.5 }],
  ['inlineMaxBytes: -1', { inlineMaxBytes: -1 }],
  ["inlineMaxBytes: '1024'", { inlineMaxBytes: '1024' }],
  ["colocate: 'yes'", { colocate: 'yes' }],
])('deque option %s is refused by create (nothing written) and bind', async (_name, options) => {
  const store = stores.open(memcached.addresses);
  const name = `bad-option-${Date.now()}-${Math.random().toString(36).slice(2)}`;
  expect(await refusal(() => Deque.create(store, name, options))).toBeInstanceOf(InvalidArgumentError);
  expect(await store.get(`mcc:dq:${name}`)).toBeNull();
  expect(() => Deque.bind(store, name, options)).toThrow(InvalidArgumentError);
});

test('valid options at the edges are accepted', async () => {
  const store = stores.open(memcached.addresses);
  const deque = await Deque.create<number>(store, undefined, { flushBytes: 1, inlineMaxBytes: 0, colocate: true });
  await deque.extend(new Set([1, 2, 3]));
  await deque.extend((function* () { yield 4; })());
  expect(await deque.popWait({ timeoutMs: 0 })).toBe(4);
  expect(await deque.popLeftWait({ timeoutMs: Infinity, signal: new AbortController().signal })).toBe(1);
  expect(await deque.length()).toBe(2);
});

test.each([null, undefined, 'localhost:11211', {}])('a store that is not a Store (%p) is an InvalidArgumentError', async (notAStore) => {
  const bad = notAStore as unknown as Store;
  expect(await refusal(() => Deque.create(bad))).toBeInstanceOf(InvalidArgumentError);
  expect(() => Deque.bind(bad, 'name')).toThrow(InvalidArgumentError);
});
