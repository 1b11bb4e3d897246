/**
 * A redrive whose transaction's replies are lost (through the harness fault
 * proxy): resolved through the batch id in the anchors, or reported as
 * DequeOutcomeUnknownError when the server cannot be reached to learn it —
 * either way each dead letter is in exactly one place afterwards: still in
 * the dead letters, or in `ready` once, and a batch applies whole or not at
 * all.
 */
import { Deque, DequeOutcomeUnknownError, WorkQueue, type DeadLetter, type RedrivenJob, type RedriveUnknown } from '../src';
import { storeFactory, uniqueNames, useProxiedMemcached } from './helpers';

const stores = storeFactory();
const { server, proxy } = useProxiedMemcached(stores);

const uniqueName = uniqueNames('rfq');

const COUNT = 20;
const letters: DeadLetter<number>[] = Array.from({ length: COUNT }, (_, k) => ({ id: `old-${k}`, value: k, deliveries: 5 }));

/**
 * One redrive of 5 whose connection is cut after `afterReplies` of its replies (the server
 * applied the request, its reply never arrives); checks that every dead letter is in exactly
 * one place. Returns whether the cut hit the redrive (false: it needed fewer replies).
 */
async function redriveWithCut(afterReplies: number, options: { unreachable?: boolean } = {}): Promise<{ hit: boolean; outcome: unknown; applied: boolean }> {
  const name = uniqueName();
  const clean = stores.open(server.addresses);
  const q = await WorkQueue.create<number>(clean, name);
  await q.deadLetters.extend(letters);
  const faulty = WorkQueue.bind<number>(stores.open([proxy().address], { requestTimeoutMs: 1000 }), name);
  // One redrive first: the handle has read the record and holds both anchors, so the next
  // redrive's first request is its MCAS (no read before it to lose instead).
  const first = await faulty.redrive({ max: 1 });

  // Unreachable: no new connection gets through (the open one works until the cut), so the
  // redrive cannot read the anchors to learn its outcome.
  if (options.unreachable === true) proxy().setMode('refuse');
  proxy().injectReplyFault({ kind: 'cut', afterReplies });
  const outcome = await faulty.redrive({ max: 5 }).catch((error: unknown) => error);
  const hit = proxy().clearReplyFaults() === 0;
  proxy().setMode('pass');

  // The dead letters first: an MCAS the redrive left pending holds their anchor (the first in key
  // order), and this read helps it to its end before `ready` is read.
  const dead = await q.deadLetters.range(0, -1);
  const ready = await Deque.bind<{ i: string; v: number; d: number }>(clean, `${name}/ready`).range(0, -1);
  // Every dead letter exactly once, in one place or the other; the dead ones untouched, in order.
  expect([...ready.map((item) => item.v), ...dead.map((letter) => letter.value)].sort((x, y) => x - y)).toEqual(letters.map((letter) => letter.value));
  expect(dead).toEqual(letters.slice(COUNT - dead.length));
  const inReady = (jobs: readonly RedrivenJob[]): boolean => jobs.every((job) => ready.some((item) => item.i === job.id && item.v === Number(job.from.slice(4)) && item.d === 0));
  if (Array.isArray(outcome)) {
    // Resolved: the batch applied (its id was in the anchors) or was fenced and retried.
    expect(outcome.map((job: RedrivenJob) => job.from)).toEqual(['old-1', 'old-2', 'old-3', 'old-4', 'old-5']);
    expect(ready.map((item) => item.i)).toEqual([...first, ...outcome].map((job: RedrivenJob) => job.id));
  } else {
    expect(outcome).toBeInstanceOf(DequeOutcomeUnknownError);
    const { redriven, unknown } = (outcome as DequeOutcomeUnknownError).value as RedriveUnknown;
    expect(redriven).toEqual([]);
    expect(unknown.map((job) => job.from)).toEqual(['old-1', 'old-2', 'old-3', 'old-4', 'old-5']);
    // All of the batch or none of it.
    expect(ready.length === 1 + unknown.length ? inReady(unknown) : ready.length === 1).toBe(true);
  }
  expect(inReady(first)).toBe(true);
  const applied = ready.length > first.length; // read before the rest is redriven
  const rest = await q.redrive();
  expect(rest.map((job) => job.from)).toEqual(dead.map((letter) => letter.id));
  expect(await q.stats()).toEqual({ ready: COUNT, delayed: 0, inFlight: 0, dead: 0 });
  return { hit, outcome, applied };
}

test('a redrive whose connection is cut after each of its replies in turn: nothing lost, nothing redriven twice', async () => {
  let cuts = 0;
  while ((await redriveWithCut(cuts)).hit) cuts++;
  // The descriptor, the anchor CASes, the decision, the releases: each of them cut once.
  expect(cuts).toBeGreaterThanOrEqual(4);
}, 30_000);

test('the outcome stays unknown (the server unreachable after the cut): DequeOutcomeUnknownError with the batch, applied whole or not at all', async () => {
  // Per cut: whether the redrive rejected with DequeOutcomeUnknownError, and whether its batch had applied.
  const unknown: boolean[] = [];
  for (let cuts = 0; ; cuts++) {
    const { hit, outcome, applied } = await redriveWithCut(cuts, { unreachable: true });
    if (!hit) break;
    // A cut after the MCAS decided is known to have applied; before, nothing can tell.
    if (outcome instanceof DequeOutcomeUnknownError) {
      expect(outcome.operation).toBe('move');
      expect(outcome.deque).toMatch(/\/dead$/);
      unknown.push(applied);
    }
  }
  // Both truths behind the one error: the descriptor's reply cut (never applied), an anchor CAS's reply cut (applied, helped to its end).
  expect(unknown).toContain(false);
  expect(unknown).toContain(true);
}, 60_000);
