/**
 * Fairness under saturation with cross-process combining: four processes
 * each pushing and popping one deque in a tight loop. With direct CASes the
 * last winner keeps winning (docs/DESIGN.md, "The flat total is one process
 * at a time"); with `combine: true` a loser announces its batch instead of
 * retrying one round trip behind, and a winner that finds announcements
 * joins them, so every process keeps progressing.
 */
import { fork, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { useMemcached } from '@mcc/harness';
import { Deque } from '../src';
import { storeFactory } from './helpers';

const cluster = useMemcached(1, { evictions: false });
const stores = storeFactory();
afterAll(() => stores.closeAll());

const WORKER = path.join(__dirname, 'fixtures', 'fairness-worker.js');
const children: ChildProcess[] = [];
afterAll(() => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
});

function start(name: string, durationMs: number): { child: ChildProcess; ready: Promise<void>; rounds: Promise<number> } {
  const child = fork(WORKER, [cluster.addresses.join(','), name, JSON.stringify({ durationMs, combine: true })], { stdio: 'inherit' });
  children.push(child);
  let markReady: () => void;
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  const rounds = new Promise<number>((resolve, reject) => {
    child.on('message', (message: { ready?: boolean; rounds?: number; error?: string }) => {
      if (message.error !== undefined) reject(new Error(message.error));
      else if (message.ready === true) markReady();
      else if (message.rounds !== undefined) resolve(message.rounds);
    });
    child.once('exit', (code) => code !== 0 && reject(new Error(`worker exited with ${code}`)));
  });
  return { child, ready, rounds };
}

/** One window of 2.5 s: four processes saturate a fresh deque; resolves to each one's rounds. */
async function saturate(): Promise<number[]> {
  const store = stores.open(cluster.addresses);
  const deque = await Deque.create<number>(store);
  const workers = Array.from({ length: 4 }, () => start(deque.name, 2500));
  await Promise.all(workers.map((worker) => worker.ready));
  for (const worker of workers) worker.child.send('go');
  const rounds = await Promise.all(workers.map((worker) => worker.rounds));
  expect(await deque.length()).toBe(0); // every push was popped
  return rounds;
}

const fair = (rounds: readonly number[]): boolean => Math.max(...rounds) > 0 && rounds.every((count) => count >= 0.15 * Math.max(...rounds));

/*
 * Measured before the change: the busiest process did 60–98 % of the rounds,
 * the others next to none, in every window. With it, on an otherwise idle
 * machine, 577–696 rounds each. A window can still come out skewed when the
 * 2 cores are shared with other work (a descheduled combiner holds the
 * announcers up: seen once with two other test suites running, 4,656 against
 * 238), so up to three windows are run and one must be fair.
 */
test('four saturating processes with combine: true all progress (none starved behind the winner)', async () => {
  const windows: number[][] = [];
  while (windows.length < 3 && !windows.some(fair)) windows.push(await saturate());
  expect({ windows, fair: windows.some(fair) }).toMatchObject({ fair: true });
}, 90_000);
