import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { useMemcached } from '@mcc/harness';
import { Deque } from '../src';
import type { Anchor } from '../src/anchor';
import { AnnouncementLog, encodeFrame } from '../src/log';
import { dequeKeys } from '../src/keys';
import { storeFactory } from './helpers';

/**
 * docs/FORMAT.md is enough to implement a deque client in another language:
 * a Python client written from it alone (msgpack + pymemcache) pops what
 * TypeScript pushed — through chunks and an external value — and pushes
 * what TypeScript pops.
 */
const cluster = useMemcached(1, { evictions: false });
const stores = storeFactory();
afterAll(() => stores.closeAll());

const CLIENT = path.join(__dirname, 'fixtures', 'deque_client.py');

function python(args: string[], input = ''): unknown {
  const result = spawnSync('/usr/bin/python3', [CLIENT, cluster.addresses[0]!, ...args], { input, encoding: 'utf8', timeout: 30_000 });
  if (result.status !== 0) throw new Error(`python failed (${result.status}): ${result.stderr}`);
  return JSON.parse(result.stdout);
}

describe('a Python client written from docs/FORMAT.md', () => {
  it('pops what TypeScript pushed, in order, across chunks and large values, and pushes what TypeScript pops', async () => {
    const deque = await Deque.create<unknown>(stores.open(cluster.addresses), undefined, { flushBytes: 64 });
    const large = { big: 'x'.repeat(5000) };
    const values: unknown[] = Array.from({ length: 40 }, (_, i) => ({ i, name: `item-${i}`, tags: ['a', i % 3 === 0] }));
    values.splice(17, 0, large);
    for (const value of values) await deque.append(value);
    const anchor = (await deque.store.get<{ a: number; b: number }>(`mcc:dq:${deque.name}`))!.value;
    expect(anchor.b).toBeGreaterThan(anchor.a); // several chunks for Python to walk

    expect(python(['popleft', deque.name, '25'])).toEqual(values.slice(0, 25));
    expect(python(['append', deque.name], JSON.stringify([{ from: 'python', n: 1 }, 'two', 3.5, null, [1, 2]]))).toBe('ok');

    const rest: unknown[] = [];
    for (let value = await deque.popLeft(); value !== undefined; value = await deque.popLeft()) rest.push(value);
    expect(rest).toEqual([...values.slice(25), { from: 'python', n: 1 }, 'two', 3.5, null, [1, 2]]);
    expect(python(['popleft', deque.name, '1'])).toEqual([null]);
  });
});

describe('a Python client on a deque that combines (anchor version 2)', () => {
  it('reads the pending results and the unapplied frames of the log, and keeps the combining fields when it pushes and pops', async () => {
    const mine = stores.open(cluster.addresses);
    const deque = await Deque.create<unknown>(mine, undefined, { combine: true });
    const other = Deque.bind<unknown>(stores.open(cluster.addresses), deque.name);
    await other.append('first');
    await deque.append('second'); // loses a CAS: announcing from now on, and the retry installs the log
    await deque.append('third'); // announced, applied by its own CAS: a result in x until acked
    const before = (await mine.get<Anchor>(`mcc:dq:${deque.name}`))!.value;
    expect(before.v).toBe(2);
    // A frame announced by a process that has not combined yet: a pop from the left.
    const log = new AnnouncementLog(mine, dequeKeys(deque.name, false));
    expect(await log.append(before.q!, encodeFrame(mine, { id: 'pyTestPop1', code: 4 }))).toBe(true);

    const seen = python(['combining', deque.name]) as { g: number; k: number; results: Record<string, string>; frames: [string, number][] };
    expect(seen.g).toBe(before.g);
    expect(seen.k).toBe(before.k);
    expect(seen.results).toEqual(Object.fromEntries(Object.keys(before.x!).map((id) => [id, 'push'])));
    expect(seen.frames).toEqual([['pyTestPop1', 4]]);

    expect(python(['append', deque.name], JSON.stringify(['from-python']))).toBe('ok');
    expect(python(['popleft', deque.name, '1'])).toEqual(['first']);
    const after = (await mine.get<Anchor>(`mcc:dq:${deque.name}`))!.value;
    expect({ v: after.v, g: after.g, q: after.q, k: after.k, x: after.x }).toEqual({ v: 2, g: before.g, q: before.q, k: before.k, x: before.x });
    // The announced pop is applied by the next combined CAS, in log order: it takes 'second'.
    await deque.append('fourth');
    const applied = (await mine.get<Anchor>(`mcc:dq:${deque.name}`))!.value;
    expect(applied.x!['pyTestPop1']).toEqual([0, expect.any(Uint8Array)]);
    expect(mine.codec.decode(Buffer.from((applied.x!['pyTestPop1'] as [0, Uint8Array])[1]))).toBe('second');
    expect(await deque.range(0, -1)).toEqual(['third', 'from-python', 'fourth']);
  });
});
