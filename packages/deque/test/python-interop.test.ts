import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { useMemcached } from '@mcc/harness';
import { Deque } from '../src';
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
