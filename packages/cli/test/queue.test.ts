import { useMemcached } from '@mcc/harness';
import { connect, WorkQueue, type Store } from '@mcc/queue';
import { runCli } from './run-cli';

const cluster = useMemcached(2, { evictions: false });
const servers = (): string => cluster.addresses.join(',');
const cli = (...args: string[]) => runCli(['queue', ...args, '--servers', servers()]);

let store: Store;
beforeAll(() => {
  store = connect(cluster.addresses);
});
afterAll(() => store.close());

/** Claims and nacks until `count` jobs are in the dead letters (maxDeliveries 1: the first nack kills; a later claim's sweep moves them there). */
async function makeDeadLetters(queue: WorkQueue, count: number): Promise<void> {
  const deadline = Date.now() + 20_000;
  while ((await queue.deadLetters.length()) < count) {
    if (Date.now() > deadline) throw new Error(`only ${await queue.deadLetters.length()} of ${count} jobs reached the dead letters`);
    const job = await queue.claim({ waitMs: 100 });
    if (job !== undefined) await job.nack();
  }
}

describe('mcc queue', () => {
  it('creates a queue, pushes jobs and shows their counts', async () => {
    const name = `cli-q-${Date.now()}`;
    const created = await cli('create', name, '--lease-ms', '60000', '--max-deliveries', '3', '--json');
    expect(created.code).toBe(0);
    expect(JSON.parse(created.stdout)).toEqual({ queue: name, created: true, leaseMs: 60000, maxDeliveries: 3 });

    const pushed = await cli('push', name, '{"to":"a@example.com"}', '--json');
    expect(pushed.code).toBe(0);
    const { id } = JSON.parse(pushed.stdout) as { id: string };
    expect((await cli('push', name, '"later"', '--delay-ms', '600000')).code).toBe(0);

    const stats = await cli('stats', name, '--json');
    expect(JSON.parse(stats.stdout)).toEqual({ queue: name, ready: 1, delayed: 1, inFlight: 0, dead: 0 });
    const text = await cli('stats', name);
    expect(text.stdout).toMatch(/ready +1\n/);
    expect(text.stdout).toMatch(/delayed +1\n/);

    // The stored settings and the job are what a library consumer sees.
    const queue = WorkQueue.bind(store, name);
    const job = await queue.claim();
    expect(job).toMatchObject({ id, value: { to: 'a@example.com' }, deliveries: 1 });
    expect(job!.leaseUntil - Date.now()).toBeGreaterThan(50_000);
    await job!.ack();
    expect(JSON.parse((await cli('stats', name, '--json')).stdout)).toMatchObject({ ready: 0, inFlight: 0 });
  });

  it('lists dead letters oldest first and redrives them as new jobs', async () => {
    const name = `cli-dead-${Date.now()}`;
    expect((await cli('create', name, '--max-deliveries', '1')).code).toBe(0);
    const queue = WorkQueue.bind(store, name);
    const ids = await queue.pushMany(['a', 'b', 'c']);
    await makeDeadLetters(queue, 3);

    const listed = await cli('dead', name, '--json');
    expect(listed.code).toBe(0);
    const document = JSON.parse(listed.stdout) as { total: number; deadLetters: { id: string; value: unknown; deliveries: number }[] };
    expect(document.total).toBe(3);
    expect(document.deadLetters).toEqual(ids.map((id, index) => ({ id, value: ['a', 'b', 'c'][index], deliveries: 1 })));
    const limited = await cli('dead', name, '--limit', '2');
    expect(limited.stdout).toContain('3 dead letters, the oldest 2');
    expect(limited.stdout).toContain(ids[1]!);
    expect(limited.stdout).not.toContain(ids[2]!);

    const first = await cli('redrive', name, '--max', '2', '--json');
    expect(first.code).toBe(0);
    const moved = JSON.parse(first.stdout) as { redriven: number; jobs: { id: string; from: string }[] };
    expect(moved.redriven).toBe(2);
    expect(moved.jobs.map((job) => job.from)).toEqual(ids.slice(0, 2));
    for (const job of moved.jobs) expect(ids).not.toContain(job.id);
    expect(JSON.parse((await cli('stats', name, '--json')).stdout)).toMatchObject({ ready: 2, dead: 1 });

    const rest = await cli('redrive', name);
    expect(rest.code).toBe(0);
    expect(rest.stdout).toContain('moved 1 dead letter back');
    const none = await cli('redrive', name);
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('no dead letters');
    const empty = await cli('dead', name);
    expect(empty.code).toBe(1);

    // The redriven jobs are ordinary jobs again: claimable in dead-letter order, first delivery.
    const claimed = [];
    for (let index = 0; index < 3; index++) {
      const job = await queue.claim();
      claimed.push({ value: job?.value, deliveries: job?.deliveries });
      await job?.ack();
    }
    expect(claimed).toEqual(['a', 'b', 'c'].map((value) => ({ value, deliveries: 1 })));
  });

  it('names the error and the fix for a missing or taken queue', async () => {
    const name = `cli-missing-${Date.now()}`;
    const missing = await cli('stats', name);
    expect(missing.code).toBe(3);
    expect(missing.stderr).toContain('MCC_ERR_QUEUE_NOT_FOUND');
    expect(missing.stderr).toContain(`mcc queue create ${name}`);
    const dead = await cli('dead', name);
    expect(dead.code).toBe(3);
    expect(dead.stderr).toContain('MCC_ERR_QUEUE_NOT_FOUND');

    expect((await cli('create', name)).code).toBe(0);
    const again = await cli('create', name, '--json');
    expect(again.code).toBe(3);
    expect(again.stderr).toContain('MCC_ERR_QUEUE_EXISTS');
    expect(JSON.parse(again.stdout)).toMatchObject({ ok: false, error: { code: 'MCC_ERR_QUEUE_EXISTS' } });
  });

  it('rejects bad arguments with exit code 2, before connecting', async () => {
    const alone = await runCli(['queue']);
    expect(alone.code).toBe(2);
    expect(alone.stderr).toContain('Subcommands:');
    const unknown = await runCli(['queue', 'frobnicate', 'q']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('create, push, stats, dead, redrive');
    const missingJson = await runCli(['queue', 'push', 'q']);
    expect(missingJson.code).toBe(2);
    expect(missingJson.stderr).toContain('<json>');
    for (const args of [['push', 'q', '1', '--delay-ms', '-5'], ['create', 'q', '--lease-ms', '1.5'], ['redrive', 'q', '--max', '0'], ['dead', 'q', '--limit', 'x']]) {
      const run = await runCli(['queue', ...args]);
      expect({ args, code: run.code }).toEqual({ args, code: 2 });
      expect(run.stderr).toContain(`mcc queue ${args[0]} --help`);
    }
  });

  it('has --help on every subcommand', async () => {
    const help = await runCli(['queue', '--help']);
    expect(help.code).toBe(0);
    const names = [...help.stdout.matchAll(/^ {2}([a-z]+) {2,}/gm)].map((match) => match[1]!);
    expect(names).toEqual(['create', 'push', 'stats', 'dead', 'redrive']);
    const runs = await Promise.all(names.map((name) => runCli(['queue', name, '--help'])));
    runs.forEach((run, index) => {
      expect({ name: names[index], code: run.code }).toEqual({ name: names[index], code: 0 });
      expect(run.stdout).toContain(`Usage: mcc queue ${names[index]} <queue>`);
    });
    expect((await runCli(['help', 'queue'])).stdout).toContain('Subcommands:');
  });
});
