/**
 * Delivery markers outlive what they settle (src/core.ts, MARKER_TTL_SECONDS):
 * an entry of the lease log stays until a sweep drops it, and sweeps run only
 * while consumers claim. With a one-day TTL an extension beyond a day lapsed
 * after a day, and a queue left without consumers for a day redelivered the
 * jobs acknowledged just before. The TTLs are read back from the server
 * (meta `mg <key> t`: the seconds left).
 */
import { rawTextRequest, sleep, useMemcached } from '@mcc/harness';
import { InvalidArgumentError, LeaseExpiredError, WorkQueue, type Job, type Store } from '../src';
import { storeFactory } from './helpers';

const cluster = useMemcached(2, { evictions: false });
const stores = storeFactory();
afterAll(() => stores.closeAll());

const THIRTY_DAYS = 2_592_000;
const LONGEST_LEASE_MS = 2 ** 31 - 1;
let counter = 0;
const uniqueName = (): string => `ttl-${process.pid}-${Date.now()}-${counter++}`;

/** Seconds the marker of this delivery has left on its server, or null if it is absent. */
async function markerTtl(store: Store, queue: string, job: Job<unknown>): Promise<number | null> {
  const key = `mcc:q:${queue}:m:${job.id}:${job.deliveries}`;
  const reply = await rawTextRequest(store.client.serverFor(key), `mg ${key} t\r\n`);
  if (reply === 'EN\r\n') return null;
  const ttl = /^HD t(-?\d+)\r\n$/.exec(reply);
  if (ttl === null) throw new Error(`unexpected reply to mg: ${JSON.stringify(reply)}`);
  return Number(ttl[1]);
}

async function claimOne(store: Store, name: string, leaseMs = 60_000): Promise<Job<string>> {
  const q = await WorkQueue.create<string>(store, name, { leaseMs, maxClockSkewMs: 0 });
  await q.push('job');
  return (await q.claim())!;
}

test("an acknowledged delivery's marker lives 30 days, memcached's longest relative TTL", async () => {
  const store = stores.open(cluster.addresses);
  const name = uniqueName();
  const job = await claimOne(store, name);
  await job.ack();
  expect(await markerTtl(store, name, job)).toBeGreaterThan(THIRTY_DAYS - 60);
});

test("an extension's marker outlives it, up to the longest lease", async () => {
  const store = stores.open(cluster.addresses);
  const name = uniqueName();
  const job = await claimOne(store, name);
  await job.extend(LONGEST_LEASE_MS);
  expect(await markerTtl(store, name, job)).toBeGreaterThan(Math.ceil(LONGEST_LEASE_MS / 1000));
});

test('an extension beyond the longest lease is refused before anything is written', async () => {
  const store = stores.open(cluster.addresses);
  const name = uniqueName();
  const job = await claimOne(store, name);
  await expect(job.extend(LONGEST_LEASE_MS + 1)).rejects.toBeInstanceOf(InvalidArgumentError);
  expect(await markerTtl(store, name, job)).toBeNull();
  await job.ack(); // the lease is as it was
});

test("a taken-over delivery's marker lives 30 days: its old holder still learns it lost the lease", async () => {
  const store = stores.open(cluster.addresses);
  const name = uniqueName();
  const first = await claimOne(store, name, 100);
  await sleep(150);
  const second = (await WorkQueue.bind<string>(stores.open(cluster.addresses), name).claim({ waitMs: 2000 }))!;
  expect(second).toMatchObject({ id: first.id, deliveries: 2 });
  expect(await markerTtl(store, name, first)).toBeGreaterThan(THIRTY_DAYS - 60);
  await expect(first.ack()).rejects.toBeInstanceOf(LeaseExpiredError);
});
