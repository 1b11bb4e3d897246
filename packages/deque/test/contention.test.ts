/**
 * Contention: many processes on one deque. Correctness (nothing lost or
 * duplicated, FIFO per producer, exact counts) and the cost of a lost race.
 */
import { fork, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { useMemcached } from '@mcc/harness';
import { Deque, type DequeStats } from '../src';
import { storeFactory, writesDuring } from './helpers';

const cluster = useMemcached(1, { evictions: false });
const stores = storeFactory();
afterAll(() => stores.closeAll());

const WORKER = path.join(__dirname, 'fixtures', 'churn-worker.js');
const children: ChildProcess[] = [];
afterAll(() => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
});

interface ChurnResult {
  popped: [number, number][][];
  stats: DequeStats;
}

function churn(name: string, base: number, callers: number, rounds: number, combine: boolean): Promise<ChurnResult> {
  const child = fork(WORKER, [cluster.addresses.join(','), name, JSON.stringify({ base, callers, rounds, combine })], { stdio: 'inherit' });
  children.push(child);
  return new Promise((resolve, reject) => {
    child.once('message', (message: ChurnResult & { error?: string }) => (message.error ? reject(new Error(message.error)) : resolve(message)));
    child.once('exit', (code) => code !== 0 && reject(new Error(`worker exited with ${code}`)));
  });
}

describe.each([
  ['direct CASes', false],
  ['cross-process combining', true],
])('six processes × 3 callers alternating append and popLeft on one deque (%s)', (_mode, combine) => {
  it('lose nothing, duplicate nothing, keep each producer FIFO, and the counts add up', async () => {
    const store = stores.open(cluster.addresses);
    const deque = await Deque.create<{ p: number; i: number }>(store);
    const processes = 6;
    const callers = 3;
    const rounds = 150;
    const results = await Promise.all(Array.from({ length: processes }, (_, index) => churn(deque.name, index * callers, callers, rounds, combine)));
    const seen = new Map<number, Set<number>>();
    let popped = 0;
    for (const result of results) {
      for (const list of result.popped) {
        const last = new Map<number, number>();
        for (const [producer, index] of list) {
          popped++;
          const indexes = seen.get(producer) ?? new Set<number>();
          seen.set(producer, indexes);
          expect(indexes.has(index)).toBe(false); // never twice
          indexes.add(index);
          expect(index).toBeGreaterThan(last.get(producer) ?? -1); // FIFO per producer
          last.set(producer, index);
        }
      }
    }
    // Every caller popped once per push, so the deque ends empty and every push was popped.
    expect(await deque.length()).toBe(0);
    expect(popped).toBe(processes * callers * rounds);
    for (let producer = 0; producer < processes * callers; producer++) expect(seen.get(producer)?.size).toBe(rounds);
    const operations = results.reduce((sum, result) => sum + result.stats.operations, 0);
    expect(operations).toBe(2 * processes * callers * rounds);
    for (const result of results) expect(result.stats.casFailures).toBeLessThanOrEqual(result.stats.casAttempts);
    const announced = results.reduce((sum, result) => sum + result.stats.announced, 0);
    const combined = results.reduce((sum, result) => sum + result.stats.combined, 0);
    if (combine) {
      // The combining path was really taken: operations announced, and applied by someone's CAS.
      expect(announced).toBeGreaterThan(0);
      expect(combined).toBeGreaterThan(0);
      expect(combined).toBeLessThanOrEqual(announced);
      // Every result read was acked or removed, but for the last few of each process (acked when idle).
      expect(Object.keys((await store.get<{ x?: object }>(`mcc:dq:${deque.name}`))!.value.x ?? {}).length).toBeLessThanOrEqual(processes * callers * 2);
    } else {
      expect(announced).toBe(0);
    }
  });
});

describe('a lost anchor CAS (direct path, combining off)', () => {
  it('costs no extra round trip once contention was seen: the fresh anchor comes back behind the refused CAS', async () => {
    const mine = stores.open(cluster.addresses);
    const theirs = stores.open(cluster.addresses);
    const deque = await Deque.create<number>(mine, undefined, { combine: false });
    const other = Deque.bind<number>(theirs, deque.name, { combine: false });
    await deque.append(0);
    const pushes = 20;
    let writes = 0;
    for (let i = 1; i <= pushes; i++) {
      await other.append(-i); // another process changes the anchor: ours is stale
      writes += await writesDuring(mine, () => deque.append(i));
    }
    expect(deque.stats.casFailures).toBe(pushes);
    // Without the read behind the CAS: refused CAS, read, CAS = 3 round trips per push.
    // With it: the first loss pays the read, later ones 2 (an isolated loss is retried at once).
    expect(writes).toBe(3 + 2 * (pushes - 1));
    const values: number[] = [];
    for (let value = await deque.popLeft(); value !== undefined; value = await deque.popLeft()) values.push(value);
    expect(values.sort((a, b) => a - b)).toEqual(Array.from({ length: 2 * pushes + 1 }, (_, index) => index - pushes));
  });
});
