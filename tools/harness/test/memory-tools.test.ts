/**
 * fillMemory and listKeys against a real memcached: a filled `-M` server
 * refuses every size, releasing makes room again, and listKeys returns
 * exactly the keys stored (URL-decoded), filtered by prefix.
 */
import { fillMemory, listKeys, rawTextRequest, useMemcached } from '../src';

const mc = useMemcached(1, { evictions: false, memoryMb: 2 });

const set = (key: string, size: number): Promise<string> => rawTextRequest(mc.addresses[0]!, `set ${key} 0 0 ${size}\r\n${'v'.repeat(size)}\r\n`);

test('listKeys returns the stored keys, filtered by prefix', async () => {
  for (const key of ['list:b', 'list:a', 'list:%x/é', 'other:c']) expect(await set(key, 3)).toBe('STORED\r\n');
  expect(await listKeys(mc.addresses[0]!, 'list:')).toEqual(['list:%x/é', 'list:a', 'list:b']);
  expect(await listKeys(mc.addresses[0]!)).toEqual(expect.arrayContaining(['list:a', 'other:c']));
});

test('fillMemory leaves no room for any size; release() makes room again', async () => {
  const filled = await fillMemory(mc.addresses[0]!, 'fill-test:');
  expect(filled.items).toBeGreaterThan(100);
  for (const size of [10, 500, 5000, 50_000]) expect({ size, reply: await set(`after-fill:${size}`, size) }).toEqual({ size, reply: expect.stringMatching(/^SERVER_ERROR out of memory/) });
  await filled.release();
  expect(await listKeys(mc.addresses[0]!, 'fill-test:')).toEqual([]);
  for (const size of [10, 500, 5000, 50_000]) expect(await set(`after-release:${size}`, size)).toBe('STORED\r\n');
});
