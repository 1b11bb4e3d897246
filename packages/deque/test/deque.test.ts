import { useMemcached } from '@mcc/harness';
import { Deque, DequeExistsError, DequeNotFoundError, InvalidArgumentError, ValueTooLargeError } from '../src';
import { storeFactory } from './helpers';

const cluster = useMemcached(3, { evictions: false });
const stores = storeFactory();
afterAll(() => stores.closeAll());

describe.each([
  ['spread over three servers', false],
  ['co-located on one server', true],
])('Deque %s', (_name, colocate) => {
  const open = () => stores.open(cluster.addresses);

  it('does what the original synopsis shows: appendLeft, bind elsewhere, pop', async () => {
    const store = open();
    const deque = await Deque.create(store, undefined, { colocate });
    await deque.appendLeft(5);
    await deque.appendLeft('hello');
    const other = Deque.bind(open(), deque.name, { colocate });
    expect(await other.pop()).toBe(5);
    expect(await other.pop()).toBe('hello');
    expect(await other.pop()).toBeUndefined();
  });

  it('behaves like an array at both ends', async () => {
    const deque = await Deque.create<number>(open(), undefined, { colocate });
    const model: number[] = [];
    let seed = 7;
    const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    for (let i = 0; i < 300; i++) {
      const choice = random();
      if (choice < 0.3) {
        await deque.append(i);
        model.push(i);
      } else if (choice < 0.6) {
        await deque.appendLeft(i);
        model.unshift(i);
      } else if (choice < 0.8) {
        expect(await deque.pop()).toBe(model.pop());
      } else {
        expect(await deque.popLeft()).toBe(model.shift());
      }
    }
    expect(await deque.length()).toBe(model.length);
    expect(await deque.peek()).toBe(model[model.length - 1]);
    expect(await deque.peekLeft()).toBe(model[0]);
  });

  it('names: create with a name, refuses a taken one, binds lazily', async () => {
    const store = open();
    const name = `named-${colocate}-${Date.now()}`;
    const deque = await Deque.create(store, name, { colocate });
    expect(deque.name).toBe(name);
    await expect(Deque.create(store, name, { colocate })).rejects.toBeInstanceOf(DequeExistsError);
    const missing = Deque.bind(store, `${name}-missing`, { colocate });
    await expect(missing.pop()).rejects.toBeInstanceOf(DequeNotFoundError);
    await expect(missing.append(1)).rejects.toMatchObject({ code: 'MCC_ERR_DEQUE_NOT_FOUND' });
    expect(() => Deque.bind(store, 'bad name')).toThrow(InvalidArgumentError);
  });

  it('empty pops and peeks return undefined; undefined is refused', async () => {
    const deque = await Deque.create(open(), undefined, { colocate });
    expect(await deque.pop()).toBeUndefined();
    expect(await deque.popLeft()).toBeUndefined();
    expect(await deque.peek()).toBeUndefined();
    expect(await deque.length()).toBe(0);
    await expect(deque.append(undefined)).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(deque.extend([1, undefined])).rejects.toThrow(/index 1/);
    expect(await deque.length()).toBe(0);
  });

  it('extend and extendLeft push atomically, extendLeft like Python', async () => {
    const deque = await Deque.create<number>(open(), undefined, { colocate });
    await deque.extend([1, 2, 3]);
    await deque.extendLeft([4, 5]);
    const values: number[] = [];
    for (let value = await deque.popLeft(); value !== undefined; value = await deque.popLeft()) values.push(value);
    expect(values).toEqual([5, 4, 1, 2, 3]);
  });

  it('stores thousands of values across chunks and returns them in order from both ends', async () => {
    const deque = await Deque.create<{ i: number; pad: string }>(open(), undefined, { colocate, flushBytes: 512 });
    const count = 3000;
    await Promise.all(Array.from({ length: count }, (_, i) => deque.append({ i, pad: 'x'.repeat(20) })));
    expect(await deque.length()).toBe(count);
    const left: number[] = [];
    const right: number[] = [];
    for (let i = 0; i < count / 2; i++) {
      left.push((await deque.popLeft())!.i);
      right.push((await deque.pop())!.i);
    }
    // Concurrent appends from one process keep their call order (they are combined in order).
    expect(left).toEqual(Array.from({ length: count / 2 }, (_, i) => i));
    expect(right).toEqual(Array.from({ length: count / 2 }, (_, i) => count - 1 - i));
    expect(await deque.pop()).toBeUndefined();
  });

  it('keeps large values in items of their own, and refuses oversized ones before changing anything', async () => {
    const deque = await Deque.create<string | Buffer>(open(), undefined, { colocate });
    const large = 'L'.repeat(200_000);
    await deque.append('small');
    await deque.append(large);
    await expect(deque.append(Buffer.alloc(2 * 1024 * 1024))).rejects.toBeInstanceOf(ValueTooLargeError);
    expect(await deque.length()).toBe(2);
    expect(await deque.peek()).toBe(large);
    expect(await deque.pop()).toBe(large);
    expect(await deque.pop()).toBe('small');
  });

  it('clear empties it and destroy removes it', async () => {
    const store = open();
    const deque = await Deque.create<number>(store, undefined, { colocate, flushBytes: 256 });
    await Promise.all(Array.from({ length: 500 }, (_, i) => deque.append(i)));
    await deque.appendLeft(-1);
    await deque.clear();
    expect(await deque.length()).toBe(0);
    expect(await deque.pop()).toBeUndefined();
    await deque.append(42);
    expect(await deque.popLeft()).toBe(42);
    await deque.destroy();
    await expect(deque.length()).rejects.toBeInstanceOf(DequeNotFoundError);
    const again = await Deque.create<number>(store, deque.name, { colocate });
    expect(await again.pop()).toBeUndefined();
  });

  it('moves values atomically between deques and within one', async () => {
    const store = open();
    const source = await Deque.create<number>(store, undefined, { colocate });
    const target = await Deque.create<number>(store, undefined, { colocate });
    await source.extend([1, 2, 3]);
    expect(await source.moveTo(target)).toBe(3); // right → left by default
    expect(await source.moveTo(target, { from: 'left', to: 'right' })).toBe(1);
    expect(await source.length()).toBe(1);
    expect(await target.popLeft()).toBe(3);
    expect(await target.popLeft()).toBe(1);
    expect(await source.moveTo(source, { from: 'right', to: 'left' })).toBe(2);
    expect(await target.moveTo(source)).toBeUndefined();
  });

  it('popWait waits for a value, times out with undefined, and stops on abort', async () => {
    const store = open();
    const deque = await Deque.create<string>(store, undefined, { colocate });
    const waiting = deque.popLeftWait({ timeoutMs: 5000 });
    setTimeout(() => void Deque.bind<string>(open(), deque.name, { colocate }).append('late'), 50);
    expect(await waiting).toBe('late');
    const started = Date.now();
    expect(await deque.popWait({ timeoutMs: 100 })).toBeUndefined();
    expect(Date.now() - started).toBeGreaterThanOrEqual(95);
    const controller = new AbortController();
    const aborted = deque.popWait({ signal: controller.signal });
    setTimeout(() => controller.abort(new Error('stop')), 30);
    await expect(aborted).rejects.toThrow('stop');
  });

  it('consume yields values as they arrive until aborted', async () => {
    const deque = await Deque.create<number>(open(), undefined, { colocate });
    const controller = new AbortController();
    const seen: number[] = [];
    const consumer = (async () => {
      for await (const value of deque.consume({ signal: controller.signal })) {
        seen.push(value);
        if (seen.length === 5) controller.abort();
      }
    })();
    for (let i = 0; i < 5; i++) await deque.append(i);
    await consumer;
    expect(seen).toEqual([0, 1, 2, 3, 4]);
  });
});
