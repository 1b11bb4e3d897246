/**
 * What the announcement log (src/log.ts) relies on memcached 1.6.18 for,
 * checked on the real server (docs/FORMAT.md, "Server facts" and "Meta
 * protocol facts"):
 *
 *   - `append` to a missing key stores nothing: binary NOT_STORED, meta `NS`
 *     (announcers only append, so a deleted log is never re-created by them);
 *   - `append` adds its bytes after the existing ones, keeps flags and makes a
 *     new CAS id;
 *   - a refused `append` — too large (-I), or out of memory (-M, full) — keeps
 *     the existing item in the binary and text protocols; a refused meta
 *     `ms … MA` *deletes* it (like every refused `ms`), which the log survives
 *     (a missing log is replaced by the next combiner; its frames' announcers
 *     announce again).
 */
import { fillMemory, rawTextRequest, useMemcached } from '@mcc/harness';
import { Client } from '@mcc/mcas';

const plain = useMemcached(1, { evictions: false, itemSizeMax: '1m' });
const full = useMemcached(1, { evictions: false, memoryMb: 2 });

const clients: Client[] = [];
afterAll(() => Promise.all(clients.map((client) => client.close())));
function client(address: string, protocol: 'binary' | 'meta'): Client {
  const opened = new Client([address], { protocol, requestTimeoutMs: 3000 });
  clients.push(opened);
  return opened;
}

const line = /\r\n$/;

describe.each(['binary', 'meta'] as const)('append (%s protocol)', (protocol) => {
  it('to a missing key stores nothing', async () => {
    const mc = client(plain.addresses[0]!, protocol);
    expect(await mc.append(`facts:missing:${protocol}`, Buffer.from('frame'))).toBeNull();
    expect(await mc.get(`facts:missing:${protocol}`)).toBeNull();
  });

  it('adds its bytes after the existing ones, keeps the flags, and makes a new CAS id', async () => {
    const mc = client(plain.addresses[0]!, protocol);
    const key = `facts:append:${protocol}`;
    const first = await mc.add(key, Buffer.from('ab'), { flags: 0x4d430401 });
    const second = await mc.append(key, Buffer.from('cd'));
    expect(second).not.toBeNull();
    expect(second).not.toBe(first);
    const item = await mc.get(key);
    expect(item!.value.toString()).toBe('abcd');
    expect(item!.flags).toBe(0x4d430401);
  });
});

describe('a refused append', () => {
  const tooLarge = 'x'.repeat(1024 * 1024 + 10);

  it('as too large keeps the item in the text protocol, and deletes it in the meta protocol (ms … MA)', async () => {
    const address = plain.addresses[0]!;
    const mc = client(address, 'binary');
    await mc.set('facts:big:text', Buffer.from('kept'));
    expect(await rawTextRequest(address, `append facts:big:text 0 0 ${tooLarge.length}\r\n${tooLarge}\r\n`, { until: line })).toMatch(/^SERVER_ERROR object too large for cache/);
    expect((await mc.get('facts:big:text'))!.value.toString()).toBe('kept');
    await mc.set('facts:big:meta', Buffer.from('kept'));
    expect(await rawTextRequest(address, `ms facts:big:meta ${tooLarge.length} MA\r\n${tooLarge}\r\n`, { until: line })).toMatch(/^SERVER_ERROR object too large for cache/);
    expect(await mc.get('facts:big:meta')).toBeNull();
  });

  it('for lack of memory (-M, full) keeps the item in the binary and text protocols, and deletes it in the meta protocol', async () => {
    const address = full.addresses[0]!;
    const mc = client(address, 'binary');
    await mc.set('facts:oom:binary', Buffer.from('kept'));
    await mc.set('facts:oom:text', Buffer.from('kept'));
    await mc.set('facts:oom:meta', Buffer.from('kept'));
    const filled = await fillMemory(address);
    try {
      const grow = Buffer.alloc(300_000, 0x61);
      await expect(mc.append('facts:oom:binary', grow)).rejects.toMatchObject({ status: 0x0082 });
      expect((await mc.get('facts:oom:binary'))!.value.toString()).toBe('kept');
      expect(await rawTextRequest(address, `append facts:oom:text 0 0 ${grow.length}\r\n${grow.toString()}\r\n`, { until: line })).toMatch(/^SERVER_ERROR out of memory/);
      expect((await mc.get('facts:oom:text'))!.value.toString()).toBe('kept');
      expect(await rawTextRequest(address, `ms facts:oom:meta ${grow.length} MA\r\n${grow.toString()}\r\n`, { until: line })).toMatch(/^SERVER_ERROR out of memory/);
      expect(await mc.get('facts:oom:meta')).toBeNull();
    } finally {
      await filled.release();
    }
  });
});
