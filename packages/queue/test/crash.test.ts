import { useMemcached } from '@mcc/harness';
import { WorkQueue } from '../src';
import { runCrashScenario } from './crash-runner';
import { storeFactory } from './helpers';

const cluster = useMemcached(3, { evictions: false });
const stores = storeFactory();
afterAll(() => stores.closeAll());

describe('consumers killed between claim and ack', () => {
  it('get their jobs redelivered to the others after the lease; nothing is lost, dead letters are exactly the jobs over maxDeliveries', async () => {
    const store = stores.open(cluster.addresses);
    const name = `crash-${process.pid}-${Date.now()}`;
    await WorkQueue.create(store, name, { leaseMs: 300, maxDeliveries: 3 });
    const report = await runCrashScenario(store, {
      servers: cluster.addresses,
      queue: name,
      producers: 4,
      jobsPerProducer: 1000,
      pushBatch: 10,
      poisonEvery: 500,
      consumers: 4,
      loops: 8,
      crashProbability: 0.003,
      maxCrashes: 6,
      workMs: 2,
      maxDeliveries: 3,
      timeoutMs: 50_000,
      queueOptions: { maxClockSkewMs: 0 },
    });
    expect(report.problems.slice(0, 10)).toEqual([]);
    expect(report.jobs).toBe(4000);
    expect(report.crashes).toBeGreaterThan(0);
    expect(report.redeliveredAfterCrash).toBeGreaterThan(0); // the crashed consumers' jobs came back
    expect(report.poison).toBe(8);
    expect(report.dead).toBeGreaterThanOrEqual(report.poison);
    expect(report.acked + report.dead).toBe(report.jobs);
    // eslint-free summary for the log: what the run did
    process.stdout.write(`crash scenario: ${JSON.stringify(report)}\n`);
  }, 60_000);
});
