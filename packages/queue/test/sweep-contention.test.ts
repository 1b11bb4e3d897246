/**
 * A sweep is best effort: one that keeps losing its transaction to other
 * writers (McasContentionError after its attempts) must not fail the claim
 * that ran it — the expired leases stay in the log and the next sweep
 * recovers them. Found by `pnpm load queue`: producers pushing 16,000–19,000
 * jobs/s onto `ready` made a sweep lose 1,000 attempts in a row, and the
 * consumer whose claim ran it failed (2 runs in 3).
 */
import { useMemcached } from '@mcc/harness';
import { Deque, McasContentionError, WorkQueue } from '../src';
import { storeFactory } from './helpers';

const server = useMemcached(1, { evictions: false });
const stores = storeFactory();
afterAll(() => stores.closeAll());
afterEach(() => jest.restoreAllMocks());

test('a sweep that loses to contention leaves the claim empty-handed, and the next sweep redelivers', async () => {
  const name = `sc-${process.pid}-${Date.now()}`;
  const q = await WorkQueue.create<string>(stores.open(server.addresses), name, { leaseMs: 100, maxClockSkewMs: 0 });
  await q.push('a');
  const first = (await q.claim())!;
  await new Promise((resolve) => setTimeout(resolve, 200)); // its lease expires unacked
  // Every sweep transaction (the one that takes from the lease log) fails as a contended one does.
  const transact = Deque.transact.bind(Deque);
  let sweeps = 0;
  jest.spyOn(Deque, 'transact').mockImplementation(((steps: Parameters<typeof Deque.transact>[0], decide: Parameters<typeof Deque.transact>[1]) => {
    if (steps[0]!.deque.name === `${name}/taken`) {
      sweeps++;
      return Promise.reject(new McasContentionError('anchor', 1000, 'Deque.transact: the anchors kept changing for 1000 attempts'));
    }
    return transact(steps, decide);
  }) as typeof Deque.transact);
  await expect(q.claim({ waitMs: 150 })).resolves.toBeUndefined();
  expect(sweeps).toBeGreaterThan(0);
  jest.restoreAllMocks();
  const again = (await q.claim({ waitMs: 1000 }))!;
  expect(again).toMatchObject({ id: first.id, value: 'a', deliveries: 2 });
  await again.ack();
});
