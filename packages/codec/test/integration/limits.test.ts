/**
 * Value size limits against a server with the default 1 MiB item size:
 * a value over the limit is refused before anything is sent (the key keeps
 * its current value), a value right at the limit is stored.
 */
import { useMemcached } from '@mcc/harness';
import { connect, rawCodec, Store, ValueTooLargeError } from '../../src';
import { rejection, uniqueKey } from './helpers';

const memcached = useMemcached(1, { itemSizeMax: '1m' });
let store: Store;
let rawStore: Store;

beforeAll(() => {
  store = connect(memcached.addresses);
  rawStore = connect(memcached.addresses, { codec: rawCodec });
});
afterAll(async () => {
  await Promise.all([store.close(), rawStore.close()]);
});

/** The largest value an mcc item (non-zero flags) can have under `key`. */
async function limitFor(key: string): Promise<number> {
  const info = await store.client.serverInfo(store.client.serverFor(key));
  if (memcached.servers.length > 0) expect(info.itemSizeMax).toBe(1024 * 1024); // (MCC_SERVERS: whatever they run with)
  return info.maxValueLength(Buffer.byteLength(key)) - 4; // 4 bytes of flags
}

test('an oversized value is refused with size and limit; nothing is written', async () => {
  const key = uniqueKey('too-large');
  const value = { blob: Buffer.alloc(1024 * 1024, 1) };
  const error = await rejection(store.set(key, value));
  expect(error).toBeInstanceOf(ValueTooLargeError);
  const tooLarge = error as ValueTooLargeError;
  expect(tooLarge.code).toBe('MCC_ERR_VALUE_TOO_LARGE');
  expect(tooLarge.size).toBe(store.codec.encode(value).length);
  expect(tooLarge.limit).toBe(await limitFor(key));
  expect(tooLarge.key).toBe(key);
  expect(tooLarge.message).toContain('nothing was written');
  expect(await store.client.get(key)).toBeNull();
});

test('a value exactly at the limit is stored and read back; one byte more is refused and the old value stays', async () => {
  const key = uniqueKey('edge');
  const limit = await limitFor(key);
  const atLimit = Buffer.alloc(limit, 7);
  const entry = await rawStore.set(key, atLimit);
  expect(atLimit.equals((await rawStore.get<Buffer>(key))!.value)).toBe(true); // (toEqual is slow on 1 MiB)

  const error = await rejection(rawStore.set(key, Buffer.alloc(limit + 1, 8)));
  expect(error).toMatchObject({ code: 'MCC_ERR_VALUE_TOO_LARGE', size: limit + 1, limit });
  // memcached deletes the current value when it refuses a SET as too large:
  // the store must refuse first, so the entry is untouched.
  expect((await rawStore.get(key))?.cas).toBe(entry.cas);
});

test('a msgpack value near the limit works', async () => {
  const key = uniqueKey('near');
  const limit = await limitFor(key);
  const blob = Buffer.alloc(limit - 5, 3); // bin32 header: 5 bytes
  expect(store.codec.encode(blob).length).toBe(limit);
  const entry = await store.set(key, blob);
  expect(blob.equals((await store.get<Buffer>(key))!.value)).toBe(true);
  expect(await rejection(store.cas(entry, Buffer.alloc(limit - 4)))).toBeInstanceOf(ValueTooLargeError);
  expect((await store.get(key))?.cas).toBe(entry.cas);
});

test('add and replace check the limit too', async () => {
  const key = uniqueKey('add-replace');
  const limit = await limitFor(key);
  expect(await rejection(rawStore.add(key, Buffer.alloc(limit + 1)))).toBeInstanceOf(ValueTooLargeError);
  await rawStore.set(key, 'small');
  expect(await rejection(rawStore.replace(key, Buffer.alloc(limit + 1)))).toBeInstanceOf(ValueTooLargeError);
  expect((await rawStore.get<Buffer>(key))?.value.toString()).toBe('small');
});
