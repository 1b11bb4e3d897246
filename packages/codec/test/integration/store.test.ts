/**
 * Store semantics against a real memcached: typed entries, CAS, record kinds,
 * and errors that carry the key.
 */
import { useMemcached } from '@mcc/harness';
import {
  Client,
  connect,
  DecodeError,
  EncodeError,
  InvalidArgumentError,
  InvalidKeyError,
  RecordKind,
  StaleCasError,
  Store,
  type Entry,
} from '../../src';
import { rejection, uniqueKey } from './helpers';

const memcached = useMemcached(1);
let store: Store;

beforeAll(() => {
  store = connect(memcached.addresses);
});
afterAll(async () => {
  await store.close();
});

describe('get and writes', () => {
  test('set returns the new entry from the reply; get reads the same', async () => {
    const key = uniqueKey('set');
    const value = { name: 'mcc', tags: ['a', 'b'], count: 2 ** 40, big: 2n ** 63n, when: new Date(1_700_000_000_123) };
    const written = await store.set(key, value);
    const info = await store.client.serverInfo(store.client.serverFor(key));
    expect(written).toEqual({ key, value, cas: expect.any(BigInt), epoch: info.epoch, kind: RecordKind.Value });
    expect(written.value).toBe(value); // the value passed, never read back
    expect(Object.isFrozen(written)).toBe(true);

    const read = await store.get<typeof value>(key);
    expect(read).toEqual({ key, value, cas: written.cas, epoch: info.epoch, kind: 0 });
    expect(read?.value.big).toBe(2n ** 63n);
  });

  test('a missing key reads as null', async () => {
    expect(await store.get(uniqueKey('missing'))).toBeNull();
  });

  test('items carry the mcc flags of the codec and kind', async () => {
    const key = uniqueKey('flags');
    await store.set(key, 'x');
    expect((await store.client.get(key))?.flags).toBe(0x4d430001);
    await store.set(key, 'x', { kind: RecordKind.DequeAnchor });
    expect((await store.client.get(key))?.flags).toBe(0x4d430301);
    expect((await store.get(key))?.kind).toBe(RecordKind.DequeAnchor);
  });

  test('add twice: the second returns null and leaves the first value', async () => {
    const key = uniqueKey('add');
    const first = await store.add(key, 1);
    expect(first?.value).toBe(1);
    expect(await store.add(key, 2)).toBeNull();
    expect((await store.get(key))?.value).toBe(1);
  });

  test('replace: null for a missing key, the new entry for an existing one', async () => {
    const key = uniqueKey('replace');
    expect(await store.replace(key, 1)).toBeNull();
    expect(await store.get(key)).toBeNull();
    await store.set(key, 1);
    const replaced = await store.replace(key, 2, { kind: 4 });
    expect(replaced).toMatchObject({ key, value: 2, kind: 4 });
    expect(await store.get(key)).toMatchObject({ value: 2, cas: replaced!.cas, kind: 4 });
  });

  test('getMulti returns decoded entries for the keys present', async () => {
    const [a, b, missing] = [uniqueKey('multi'), uniqueKey('multi'), uniqueKey('multi')];
    const entryA = await store.set(a, { n: 1 });
    const entryB = await store.set(b, [2], { kind: 1 });
    const entries = await store.getMulti([a, missing, b, a]);
    expect([...entries.keys()]).toEqual([a, b]);
    expect(entries.get(a)).toEqual(entryA);
    expect(entries.get(b)).toEqual(entryB);
  });

  test('an invalid key or kind rejects before anything is sent', async () => {
    expect(await rejection(store.set('has space', 1))).toBeInstanceOf(InvalidKeyError);
    expect(await rejection(store.set(uniqueKey('kind'), 1, { kind: 256 }))).toBeInstanceOf(InvalidArgumentError);
    expect(await rejection(store.set(uniqueKey('ttl'), 1, { ttl: -1 }))).toBeInstanceOf(InvalidArgumentError);
  });

  test('an unencodable value rejects with an EncodeError naming key and path; nothing is written', async () => {
    const key = uniqueKey('encode');
    const error = await rejection(store.set(key, { items: [1, 2, 3, { callback: () => 0 }] }));
    expect(error).toBeInstanceOf(EncodeError);
    expect(error).toMatchObject({ code: 'MCC_ERR_ENCODE', key, path: 'value.items[3].callback', codec: 'msgpack' });
    expect(error.message).toContain(JSON.stringify(key));
    expect(error.message).toContain('value.items[3].callback is a function');
    expect(await store.client.get(key)).toBeNull();
  });

  test('undecodable bytes under mcc flags reject with a DecodeError naming the key and codec', async () => {
    const key = uniqueKey('garbage');
    await store.client.set(key, Buffer.from([0x92, 0x01]), { flags: 0x4d430001 });
    const error = await rejection(store.get(key));
    expect(error).toBeInstanceOf(DecodeError);
    expect(error).toMatchObject({ code: 'MCC_ERR_DECODE', key, codec: 'msgpack', server: memcached.addresses[0] });
    expect(error.message).toMatch(new RegExp(`codec msgpack cannot decode the value of key "${key}"`));
  });
});

describe('CAS', () => {
  test('cas with the current entry writes and returns the new entry', async () => {
    const key = uniqueKey('cas');
    const first = await store.set(key, { v: 1 });
    const second = await store.cas(first, { v: 2 });
    expect(second).toMatchObject({ key, value: { v: 2 }, kind: 0 });
    expect(second!.cas).not.toBe(first.cas);
    expect(await store.get(key)).toEqual(second);
  });

  test('cas with an old entry returns null and changes nothing', async () => {
    const key = uniqueKey('stale');
    const old = await store.set(key, 1);
    const current = await store.cas(old, 2);
    expect(await store.cas(old, 3)).toBeNull();
    expect(await store.get(key)).toEqual(current);
  });

  test('cas on a deleted entry returns null and does not recreate it', async () => {
    const key = uniqueKey('deleted');
    const entry = await store.set(key, 1);
    await store.delete(key);
    expect(await store.cas(entry, 2)).toBeNull();
    expect(await store.get(key)).toBeNull();
  });

  test('two stores racing cas on one entry: exactly one wins, every round', async () => {
    const other = connect(memcached.addresses);
    try {
      const key = uniqueKey('race');
      await store.set(key, 0);
      for (let round = 1; round <= 25; round++) {
        const [mine, theirs] = await Promise.all([store.get<number>(key), other.get<number>(key)]);
        expect(mine?.cas).toBe(theirs?.cas);
        const results = await Promise.all([store.cas(mine!, round * 10 + 1), other.cas(theirs!, round * 10 + 2)]);
        const winners = results.filter((result): result is Entry<number> => result !== null);
        expect(winners).toHaveLength(1);
        expect((await store.get(key))?.value).toBe(winners[0]!.value);
      }
    } finally {
      await other.close();
    }
  });

  test('a CAS from another epoch is refused with StaleCasError, nothing sent', async () => {
    const key = uniqueKey('epoch');
    const entry = await store.set(key, 1);
    const error = await rejection(store.cas({ ...entry, epoch: '1:1' }, 2));
    expect(error).toBeInstanceOf(StaleCasError);
    expect((await store.get(key))?.value).toBe(1);
  });

  test('delete: a stale entry → false, the current entry → true, a key → unconditional', async () => {
    const key = uniqueKey('delete');
    const old = await store.set(key, 1);
    const current = await store.cas(old, 2);
    expect(await store.delete(old)).toBe(false);
    expect((await store.get(key))?.value).toBe(2);
    expect(await store.delete(current!)).toBe(true);
    expect(await store.get(key)).toBeNull();
    expect(await store.delete(current!)).toBe(false);
    await store.set(key, 3);
    expect(await store.delete(key)).toBe(true);
    expect(await store.delete(key)).toBe(false);
  });

  test('deleteQuiet with an entry or a key', async () => {
    const [a, b] = [uniqueKey('quiet'), uniqueKey('quiet')];
    const entry = await store.set(a, 1);
    await store.set(b, 2);
    const results = await Promise.all([store.deleteQuiet(entry), store.deleteQuiet(b), store.get(a)]);
    expect(results).toEqual([true, true, null]);
    expect(await store.get(b)).toBeNull();
  });

  test('cas and delete refuse something that is not an entry', async () => {
    expect(await rejection(store.cas(null as unknown as Entry, 1))).toBeInstanceOf(InvalidArgumentError);
    expect(await rejection(store.delete({ key: 'k' } as unknown as Entry))).toBeInstanceOf(InvalidArgumentError);
  });
});

describe('construction', () => {
  test('new Store(client) defaults to msgpack; connect passes client options through', async () => {
    const client = new Client(memcached.addresses);
    const manual = new Store(client);
    expect(manual.client).toBe(client);
    expect(manual.codec.name).toBe('msgpack');
    await manual.close();
    expect(() => connect(memcached.addresses, { noSuchOption: 1 } as never)).toThrow(InvalidArgumentError);
  });

  test('a codec without an id byte is refused', () => {
    const client = new Client(memcached.addresses);
    const bad = { id: 300, name: 'bad', encode: () => Buffer.alloc(0), decode: () => null };
    expect(() => new Store(client, bad)).toThrow(InvalidArgumentError);
    return client.close();
  });
});
