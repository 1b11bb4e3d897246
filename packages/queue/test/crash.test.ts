import { useMemcached } from '@mcc/harness';
import { WorkQueue } from '../src';
import { runCrashScenario } from './crash-runner';
import { storeFactory } from './helpers';

const cluster = useMemcached(3, { evictions: false });
const stores = storeFactory();
afterAll(() => stores.closeAll());

/**
 * 4 producers × 5,000 = 20,000 jobs (issue 12's figure): 25–38 s on this 2-core
 * machine at load 2–3. The bound only ends a run that stopped draining; it is
 * set far above that so that a slower machine is not taken for a stuck queue.
 */
const JOBS_PER_PRODUCER = 5000;

describe('consumers killed between claim and ack', () => {
  it('(4 producers + 4 consumers, 20,000 jobs, three servers) get their jobs redelivered to the others after the lease; nothing is lost, dead letters are exactly the jobs over maxDeliveries', async () => {
    const store = stores.open(cluster.addresses);
    const name = `crash-${process.pid}-${Date.now()}`;
    await WorkQueue.create(store, name, { leaseMs: 300, maxDeliveries: 3 });
    const report = await runCrashScenario(store, {
      servers: cluster.addresses,
      queue: name,
      producers: 4,
      jobsPerProducer: JOBS_PER_PRODUCER,
      pushBatch: 10,
      poisonEvery: 500,
      consumers: 4,
      loops: 8,
      crashProbability: 0.003,
      maxCrashes: 6,
      workMs: 2,
      maxDeliveries: 3,
      timeoutMs: 110_000,
      queueOptions: { maxClockSkewMs: 0 },
    });
    expect(report.problems.slice(0, 10)).toEqual([]);
    expect(report.jobs).toBe(4 * JOBS_PER_PRODUCER);
    expect(report.crashes).toBeGreaterThan(0);
    expect(report.redeliveredAfterCrash).toBeGreaterThan(0); // the crashed consumers' jobs came back
    expect(report.poison).toBe((4 * JOBS_PER_PRODUCER) / 500);
    expect(report.dead).toBeGreaterThanOrEqual(report.poison);
    expect(report.acked + report.dead).toBe(report.jobs);
    // What the run did (redeliveries counted by cause), for the log.
    process.stdout.write(`crash scenario: ${JSON.stringify(report)}\n`);
  }, 120_000);
});
