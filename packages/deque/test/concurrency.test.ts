import { fork, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { useMemcached } from '@mcc/harness';
import { Deque } from '../src';
import { storeFactory } from './helpers';

const cluster = useMemcached(3, { evictions: false });
const stores = storeFactory();
afterAll(() => stores.closeAll());

const WORKER = path.join(__dirname, 'fixtures', 'deque-worker.js');
const children: ChildProcess[] = [];
afterAll(() => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
});

interface WorkerResult {
  produced?: number;
  received?: [number, number][][];
  error?: string;
}

function start(role: 'produce' | 'consume', name: string, options: object): { child: ChildProcess; result: Promise<WorkerResult> } {
  const child = fork(WORKER, [role, cluster.addresses.join(','), name, JSON.stringify(options)], { stdio: 'inherit' });
  children.push(child);
  const result = new Promise<WorkerResult>((resolve, reject) => {
    child.once('message', (message: WorkerResult) => (message.error ? reject(new Error(message.error)) : resolve(message)));
    child.once('exit', (code) => code !== 0 && reject(new Error(`worker exited with ${code}`)));
  });
  return { child, result };
}

/** Every item exactly once; each consumer loop saw each producer's items in order (when `ordered`). */
function verify(results: WorkerResult[], producers: number[], perProducer: number, ordered: boolean): void {
  const seen = new Map<number, Set<number>>(producers.map((producer) => [producer, new Set()]));
  for (const result of results) {
    for (const list of result.received ?? []) {
      const last = new Map<number, number>();
      for (const [producer, index] of list) {
        const indexes = seen.get(producer)!;
        expect(indexes.has(index)).toBe(false); // never twice
        indexes.add(index);
        if (ordered) {
          expect(index).toBeGreaterThan(last.get(producer) ?? -1);
          last.set(producer, index);
        }
      }
    }
  }
  for (const producer of producers) expect(seen.get(producer)!.size).toBe(perProducer); // none lost
}

async function run(name: string, producerSides: ('left' | 'right')[], consumerSides: ('left' | 'right')[], loops: number, perLoop: number): Promise<WorkerResult[]> {
  const consumers = consumerSides.map((side) => start('consume', name, { loops, side }));
  const producers = producerSides.map((side, index) => start('produce', name, { producerBase: index * 100, loops, perLoop, side }));
  await Promise.all(producers.map((producer) => producer.result));
  for (const consumer of consumers) consumer.child.send('stop');
  return Promise.all(consumers.map((consumer) => consumer.result));
}

describe('Deque under concurrent processes over three servers', () => {
  it('delivers 20,000 items from 2 producer to 2 consumer processes exactly once, in producer order', async () => {
    const deque = await Deque.create(stores.open(cluster.addresses), undefined, { flushBytes: 1024 });
    const loops = 4;
    const perLoop = 2500;
    const results = await run(deque.name, ['right', 'right'], ['left', 'left'], loops, perLoop);
    const producers = [0, 1].flatMap((process) => Array.from({ length: loops }, (_, loop) => process * 100 + loop));
    verify(results, producers, perLoop, true);
    expect(await deque.length()).toBe(0);
  }, 120_000);

  it('works at both ends at once: pushes left and right, pops left and right', async () => {
    const deque = await Deque.create(stores.open(cluster.addresses), undefined, { flushBytes: 512 });
    const loops = 3;
    const perLoop = 800;
    const results = await run(deque.name, ['left', 'right'], ['left', 'right'], loops, perLoop);
    const producers = [0, 1].flatMap((process) => Array.from({ length: loops }, (_, loop) => process * 100 + loop));
    verify(results, producers, perLoop, false);
  }, 120_000);

  it('conserves the total under concurrent moves between deques', async () => {
    const store = stores.open(cluster.addresses);
    const other = stores.open(cluster.addresses);
    const a = await Deque.create<number>(store);
    const b = await Deque.create<number>(store);
    await a.extend(Array.from({ length: 200 }, (_, i) => i));
    const aOther = Deque.bind<number>(other, a.name);
    const bOther = Deque.bind<number>(other, b.name);
    await Promise.all([
      ...Array.from({ length: 4 }, async () => { for (let i = 0; i < 40; i++) await a.moveTo(b, { from: 'left', to: 'right' }); }),
      ...Array.from({ length: 4 }, async () => { for (let i = 0; i < 40; i++) await bOther.moveTo(aOther, { from: 'left', to: 'right' }); }),
      ...Array.from({ length: 2 }, async () => { for (let i = 0; i < 40; i++) { const value = await a.pop(); if (value !== undefined) await a.append(value); } }),
    ]);
    const values: number[] = [];
    for (const deque of [a, b]) for (let value = await deque.popLeft(); value !== undefined; value = await deque.popLeft()) values.push(value);
    expect(values.sort((x, y) => x - y)).toEqual(Array.from({ length: 200 }, (_, i) => i));
  }, 120_000);
});
