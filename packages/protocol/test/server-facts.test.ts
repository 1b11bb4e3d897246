/**
 * The memcached facts the protocol README and docs/FORMAT.md state about
 * refused writes, checked on the real server so a memcached that behaves
 * differently fails here — on a full `-M` server a write refused for lack of
 * memory keeps the item on binary REPLACE/ADD and the text commands, and
 * deletes it on every meta `ms` — and that the client never loses an item to
 * one, on either protocol (meta sends such writes as text commands). Both
 * protocols are named explicitly, so this runs the same in both test runs.
 */
import { rawTextRequest, startMemcached, type MemcachedServer } from '@mcc/harness';
import { Client, ServerError } from '../src';
import { rejectionOf, uniqueKey } from './helpers';

const FILLER = Buffer.alloc(3000, 0x66);

describe('refused writes on a full -M server (memcached facts)', () => {
  let server: MemcachedServer;
  const clients: Client[] = [];

  beforeEach(async () => {
    server = await startMemcached({ evictions: false, memoryMb: 2 });
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    await server.kill();
  });

  /** Stores a small victim item, then fills the server with 3000-byte items until it refuses one. */
  async function fullServerWithVictim(client: Client): Promise<{ key: string; cas: bigint }> {
    const key = uniqueKey('victim');
    const cas = (await client.set(key, 'old'))!;
    for (let i = 0; ; i++) {
      if (i > 10_000) throw new Error('the server never filled up');
      const refused = await client.set(`${key}:fill:${i}`, FILLER).then(() => false, (error: unknown) => error instanceof ServerError && error.status === 0x82);
      if (refused) return { key, cas };
    }
  }

  test.each(['binary', 'meta'] as const)('%s: replace, set with a CAS and add refused as out of memory (0x0082) keep the item', async (protocol) => {
    const client = new Client([server.address], { protocol });
    clients.push(client);
    const { key, cas } = await fullServerWithVictim(client);
    const attempts = [
      () => client.replace(key, FILLER, { cas }),
      () => client.set(key, FILLER, { cas }),
      () => client.replace(key, FILLER),
      () => client.add(key, FILLER),
    ];
    for (const attempt of attempts) {
      const error = await rejectionOf(attempt());
      expect(error).toBeInstanceOf(ServerError);
      expect((error as ServerError).status).toBe(0x82);
      const after = await client.get(key);
      expect(after!.value.toString()).toBe('old');
      expect(after!.cas).toBe(cas);
    }
    // The connection is still in step: a write that fits succeeds, conditionally.
    const next = await client.set(key, 'new', { cas });
    expect(next).not.toBeNull();
    expect((await client.get(key))!.cas).toBe(next);
  });

  test('meta: every ms mode, with and without a CAS, deletes the item when refused; text cas and replace keep it', async () => {
    const client = new Client([server.address], { protocol: 'binary' });
    clients.push(client);
    const { key } = await fullServerWithVictim(client);
    const block = `${FILLER.toString('latin1')}\r\n`;
    for (const conditional of [true, false]) {
      const { cas } = (await client.get(key))!;
      const line = conditional ? `cas ${key} 0 0 ${FILLER.length} ${cas}\r\n${block}` : `replace ${key} 0 0 ${FILLER.length}\r\n${block}`;
      expect(await rawTextRequest(server.address, line, { timeoutMs: 2000 })).toMatch(/^SERVER_ERROR out of memory/);
      expect((await client.get(key))!.value.toString()).toBe('old');
    }
    for (const mode of ['S', 'E', 'R', 'A', 'P']) {
      for (const conditional of [false, true]) {
        await client.add(key, 'old'); // the small victim fits in its own, not yet full, slab class
        const { cas } = (await client.get(key))!;
        const line = `ms ${key} ${FILLER.length} M${mode}${conditional ? ` C${cas}` : ''}\r\n${block}`;
        expect(await rawTextRequest(server.address, line, { timeoutMs: 2000 })).toMatch(/^SERVER_ERROR out of memory/);
        expect(await client.get(key)).toBeNull();
      }
    }
  });
});
