/**
 * The store on servers that break CAS assumptions: a restart (CAS ids start
 * again) and a server started with -C (no CAS at all). These always start
 * their own servers (MCC_SERVERS cannot provide a restart or a -C server).
 */
import { startMemcached, type MemcachedServer } from '@mcc/harness';
import { CasUnsupportedError, connect, StaleCasError } from '../../src';
import { rejection, uniqueKey } from './helpers';

describe('a server restart', () => {
  let server: MemcachedServer;

  beforeAll(async () => {
    server = await startMemcached();
  });
  afterAll(async () => {
    await server.stop();
  });

  test('an entry from before the restart is refused with StaleCasError', async () => {
    const store = connect([server.address]);
    try {
      const key = uniqueKey('restart');
      const before = await store.set(key, 1);
      await server.restart();
      // The restarted server is empty and its CAS counter starts again: a
      // fresh item may well get the very same CAS id.
      await store.set(key, 2).catch(() => store.set(key, 2)); // the first request may see the dropped connection
      const error = await rejection(store.cas(before, 3));
      expect(error).toBeInstanceOf(StaleCasError);
      expect((await store.get(key))?.value).toBe(2);
      expect(await rejection(store.delete(before))).toBeInstanceOf(StaleCasError);
    } finally {
      await store.close();
    }
  });
});

describe('a server with CAS disabled (-C)', () => {
  let server: MemcachedServer;

  beforeAll(async () => {
    server = await startMemcached({ cas: false });
  });
  afterAll(async () => {
    await server.stop();
  });

  test('conditional writes with its CAS-less entries are refused, never made unconditional', async () => {
    const store = connect([server.address]);
    try {
      const key = uniqueKey('no-cas');
      const entry = await store.set(key, 1);
      expect(entry.cas).toBe(0n);
      expect(await rejection(store.cas(entry, 2))).toBeInstanceOf(CasUnsupportedError);
      expect(await rejection(store.delete(entry))).toBeInstanceOf(CasUnsupportedError);
      expect(() => store.deleteQuiet(entry)).toThrow(CasUnsupportedError);
      expect((await store.get(key))?.value).toBe(1);
    } finally {
      await store.close();
    }
  });
});
