/**
 * An item written with one codec (or by another client) read through a store
 * of another codec fails loudly with CodecMismatchError, never as garbage.
 */
import { useMemcached } from '@mcc/harness';
import { CodecMismatchError, connect, jsonCodec, rawCodec, Store } from '../../src';
import { rejection, uniqueKey } from './helpers';

const memcached = useMemcached(1);
let msgpackStore: Store;
let rawStore: Store;
let jsonStore: Store;

beforeAll(() => {
  msgpackStore = connect(memcached.addresses);
  rawStore = connect(memcached.addresses, { codec: rawCodec });
  jsonStore = connect(memcached.addresses, { codec: jsonCodec });
});
afterAll(async () => {
  await Promise.all([msgpackStore.close(), rawStore.close(), jsonStore.close()]);
});

async function mismatch(store: Store, key: string): Promise<CodecMismatchError> {
  const error = await rejection(store.get(key));
  expect(error).toBeInstanceOf(CodecMismatchError);
  expect(error).toMatchObject({ code: 'MCC_ERR_CODEC_MISMATCH', key, server: memcached.addresses[0] });
  return error as CodecMismatchError;
}

test('a msgpack store reading a raw value', async () => {
  const key = uniqueKey('raw');
  await rawStore.set(key, 'bytes');
  const error = await mismatch(msgpackStore, key);
  expect(error).toMatchObject({ expectedCodec: 'msgpack', expectedCodecId: 1, foundFlags: 0x4d430000, foundCodecId: 0 });
  expect(error.message).toContain('holds a value of codec raw (flags 0x4d430000), but this store reads codec msgpack (id 1)');
});

test('a raw store reading a msgpack value (and the record kind is named)', async () => {
  const key = uniqueKey('msgpack');
  await msgpackStore.set(key, { a: 1 }, { kind: 2 });
  const error = await mismatch(rawStore, key);
  expect(error).toMatchObject({ expectedCodec: 'raw', foundFlags: 0x4d430201, foundCodecId: 1 });
  expect(error.message).toContain('a value of codec msgpack (record kind 2)');
});

test('json and msgpack stores refuse each other', async () => {
  const [jsonKey, msgpackKey] = [uniqueKey('json'), uniqueKey('msgpack')];
  await jsonStore.set(jsonKey, { a: 1 });
  await msgpackStore.set(msgpackKey, { a: 1 });
  expect((await mismatch(msgpackStore, jsonKey)).foundCodecId).toBe(2);
  expect((await mismatch(jsonStore, msgpackKey)).foundCodecId).toBe(1);
  expect((await jsonStore.get(jsonKey))?.value).toEqual({ a: 1 });
});

test('untagged bytes (flags 0) from another client read through the raw codec only', async () => {
  const key = uniqueKey('untagged');
  await rawStore.client.set(key, 'written by memjs');
  const entry = await rawStore.get(key);
  expect(entry).toMatchObject({ key, value: Buffer.from('written by memjs'), kind: 0 });
  const error = await mismatch(msgpackStore, key);
  expect(error).toMatchObject({ foundFlags: 0, foundCodecId: undefined });
  expect(error.message).toContain('untagged bytes');
});

test.each([
  ['pymemcache pickle', 1],
  ['pymemcache text', 16],
  ['another marker', 0x4d420001],
])('foreign flags (%s, %i) are refused by every codec', async (_name, flags) => {
  const key = uniqueKey('foreign');
  await rawStore.client.set(key, 'opaque', { flags });
  for (const store of [rawStore, msgpackStore, jsonStore]) {
    const error = await mismatch(store, key);
    expect(error.foundFlags).toBe(flags);
    expect(error.message).toContain('not an mcc value');
  }
});

test('getMulti fails with the mismatch rather than skipping the item', async () => {
  const [good, bad] = [uniqueKey('good'), uniqueKey('bad')];
  await msgpackStore.set(good, 1);
  await rawStore.set(bad, 'x');
  const error = await rejection(msgpackStore.getMulti([good, bad]));
  expect(error).toBeInstanceOf(CodecMismatchError);
  expect((error as CodecMismatchError).key).toBe(bad);
});
