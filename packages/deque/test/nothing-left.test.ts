/**
 * A push that fails leaves nothing behind: no large-value item, no chunk,
 * and the deque unchanged. Everything is encoded and measured before the
 * first write; what was written before a later write failed is removed.
 */
import { listKeys, useMemcached } from '@mcc/harness';
import { Deque, EncodeError, ValueTooLargeError } from '../src';
import { storeFactory } from './helpers';

const memcached = useMemcached(1, { evictions: false, itemSizeMax: '1m' });
const stores = storeFactory();
afterAll(() => stores.closeAll());

/** Every item of the deque but its anchor, after any write still in flight has landed. */
async function recordsBesidesAnchor(deque: Deque): Promise<string[]> {
  await new Promise((resolve) => setTimeout(resolve, 100));
  return listKeys(memcached.addresses[0]!, `mcc:dq:${deque.name}:`);
}

test('extend([large value, function]) fails with an encode error before writing the large value', async () => {
  const deque = await Deque.create<unknown>(stores.open(memcached.addresses));
  await expect(deque.extend([{ blob: 'x'.repeat(2048) }, () => 1])).rejects.toBeInstanceOf(EncodeError);
  await expect(deque.extendLeft(['small', { blob: 'y'.repeat(4096) }, Symbol('no')])).rejects.toBeInstanceOf(EncodeError);
  expect(await recordsBesidesAnchor(deque)).toEqual([]);
  expect(await deque.length()).toBe(0);
});

test('a push whose large value is too large for memcached leaves none of its other large values', async () => {
  const deque = await Deque.create<unknown>(stores.open(memcached.addresses));
  const huge = Buffer.alloc(1024 * 1024 + 1, 1);
  await expect(deque.extend([Buffer.alloc(3000, 2), Buffer.alloc(5000, 3), huge])).rejects.toBeInstanceOf(ValueTooLargeError);
  expect(await recordsBesidesAnchor(deque)).toEqual([]);
  expect(await deque.length()).toBe(0);
});

test('an extend too large for any anchor is refused before anything is written, even with a buffer to flush', async () => {
  const deque = await Deque.create<string>(stores.open(memcached.addresses), undefined, { flushBytes: 1024 });
  await deque.extend(Array.from({ length: 20 }, (_, i) => `small ${i}`)); // a right buffer the next push would flush into a chunk
  const tooMany = Array.from({ length: 1200 }, (_, i) => `${i}`.padEnd(1000, '.')); // 1.2 MB inline
  await expect(deque.extend(tooMany)).rejects.toBeInstanceOf(ValueTooLargeError);
  expect(await recordsBesidesAnchor(deque)).toEqual([]);
  expect(await deque.length()).toBe(20);
  expect(await deque.pop()).toBe('small 19');
});
