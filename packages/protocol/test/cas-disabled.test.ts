/**
 * A server started with -C (CAS disabled) would turn conditional writes into
 * unconditional ones; the client detects it and refuses them.
 */
import { useMemcached } from '@mcc/harness';
import { CasUnsupportedError, Client, InvalidArgumentError, McError, metricsDelta } from '../src';
import { rejectionOf, uniqueKey } from './helpers';

describe('a server with CAS disabled (-C)', () => {
  const mc = useMemcached(1, { cas: false });
  let client: Client;
  beforeAll(() => {
    // deleteQuiet reports its failures here too (the default would print a process warning)
    client = new Client(mc.addresses, { onBackgroundError: () => {} });
  });
  afterAll(async () => {
    await client.close();
  });

  test('serverInfo reports casEnabled false (and a larger value limit: no CAS field per item)', async () => {
    expect(mc.servers[0]!.args).toContain('-C');
    const info = await client.serverInfo();
    expect(info.casEnabled).toBe(false);
    expect(info.server).toBe(mc.addresses[0]);
    expect(info.pid).toBe(mc.servers[0]!.pid);
    // -C saves the 8-byte CAS field of every item
    expect(info.maxValueLength(10)).toBe(1024 * 1024 - 48 - 3 - 10);
  });

  test('unconditional set/get/add/delete/incr still work; CAS ids are 0', async () => {
    const key = uniqueKey('plain');
    expect(await client.set(key, 'one', { flags: 3 })).toBe(0n);
    const item = await client.get(key);
    expect(item!.value.toString()).toBe('one');
    expect(item!.flags).toBe(3);
    expect(item!.cas).toBe(0n);
    expect(await client.add(key, 'two')).toBeNull();
    expect(await client.append(key, '+')).toBe(0n);
    expect((await client.get(key))!.value.toString()).toBe('one+');
    expect(await client.delete(key)).toBe(true);
    expect(await client.get(key)).toBeNull();
    const counter = uniqueKey('counter');
    expect(await client.incr(counter, 1, { initial: 5 })).toBe(5n);
    expect(await client.incr(counter, 1)).toBe(6n);
    // The CAS a -C server returns is 0n: passed back as a condition it is refused,
    // never sent (memcached would write unconditionally).
    const sent = client.metrics.requests;
    await expect(client.set(key, 'zero', { cas: item!.cas })).rejects.toThrow(InvalidArgumentError);
    await expect(client.delete(key, { cas: 0n })).rejects.toThrow(/cas 0n is no condition/);
    expect(client.metrics.requests).toBe(sent);
    expect((await client.get(key))).toBeNull(); // deleted above, unconditionally
  });

  test('every conditional write → CasUnsupportedError, nothing sent, nothing changed', async () => {
    const key = uniqueKey('conditional');
    await client.set(key, 'original');
    const missing = uniqueKey('missing');
    const before = { ...client.metrics };
    // On -C memcached these would all succeed (even creating `missing`), so they must not be sent.
    const attempts: Array<() => Promise<unknown>> = [
      () => client.set(key, 'changed', { cas: 12345n }),
      () => client.set(missing, 'created', { cas: 1n }),
      () => client.replace(key, 'changed', { cas: 1n }),
      () => client.append(key, 'changed', { cas: 1n }),
      () => client.prepend(key, 'changed', { cas: 1n }),
      () => client.delete(key, { cas: 1n }),
      () => client.deleteQuiet(key, { cas: 1n }),
    ];
    for (const attempt of attempts) {
      const error = await rejectionOf(attempt());
      expect(error).toBeInstanceOf(CasUnsupportedError);
      expect((error as McError).code).toBe('MCC_ERR_CAS_UNSUPPORTED');
      expect((error as McError).server).toBe(mc.addresses[0]);
      expect(error.message).toMatch(/-C/);
    }
    const delta = metricsDelta(before, client.metrics);
    expect(delta.requests).toBe(0);
    expect(delta.errors).toBe(attempts.length);
    expect((await client.get(key))!.value.toString()).toBe('original');
    expect(await client.get(missing)).toBeNull();
  });

  test('the error names the key', async () => {
    const key = uniqueKey('named');
    const error = (await rejectionOf(client.set(key, 'v', { cas: 9n }))) as McError;
    expect(error.key).toBe(key);
  });
});
