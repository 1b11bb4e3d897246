import { connect, Deque, type Store } from '@mcc/deque';
import { useMemcached } from '@mcc/harness';
import { runCli } from './run-cli';

const cluster = useMemcached(1, { evictions: false });
let store: Store;

beforeAll(() => {
  store = connect(cluster.addresses);
});
afterAll(() => store.close());

/** A deque of 100 values spread over many small chunks. */
async function chunkedDeque(name: string): Promise<{ a: number; b: number }> {
  const deque = await Deque.create<number>(store, name, { flushBytes: 64 });
  for (let value = 0; value < 100; value++) await deque.append(value);
  const anchor = await store.get<{ a: number; b: number }>(`mcc:dq:${name}`);
  if (anchor === null) throw new Error('anchor missing');
  const { a, b } = anchor.value;
  expect(a).toBeLessThanOrEqual(b);
  return { a, b };
}

describe('mcc fsck and mcc inspect', () => {
  it('finds a deliberately deleted chunk, names its key, and exits non-zero', async () => {
    const name = `fsck-broken-${Date.now()}`;
    const { a, b } = await chunkedDeque(name);
    const slot = Math.floor((a + b) / 2);
    const chunkKey = `mcc:dq:${name}:c:${slot}`;
    expect(await store.delete(chunkKey)).toBe(true);

    const run = await runCli(['fsck', name, '--servers', cluster.addresses.join(',')]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(chunkKey);
    expect(run.stdout).toContain('is missing');
    expect(run.stdout).toContain('CORRUPTED');
    expect(run.stdout).toContain('-M');

    const json = await runCli(['fsck', name, '--json', '--servers', cluster.addresses.join(',')]);
    expect(json.code).toBe(1);
    const report = JSON.parse(json.stdout) as { ok: boolean; problems: { key: string }[] };
    expect(report.ok).toBe(false);
    expect(report.problems.map((problem) => problem.key)).toContain(chunkKey);

    const inspect = await runCli(['inspect', name, '--servers', cluster.addresses.join(',')]);
    expect(inspect.code).toBe(1);
    expect(inspect.stdout).toMatch(/status\s+CORRUPTED/);
  });

  it('passes a sound deque and shows its length and both ends', async () => {
    const name = `fsck-sound-${Date.now()}`;
    await chunkedDeque(name);
    const fsck = await runCli(['fsck', name, '--servers', cluster.addresses.join(',')]);
    expect(fsck.code).toBe(0);
    expect(fsck.stdout).toContain(`${name}: ok`);

    const inspect = await runCli(['inspect', name, '--json', '--servers', cluster.addresses.join(',')]);
    expect(inspect.code).toBe(0);
    expect(JSON.parse(inspect.stdout)).toMatchObject({ name, exists: true, length: 100, counted: 100, left: 0, right: 99, ok: true, problems: [] });

    const text = await runCli(['inspect', name, '--servers', cluster.addresses.join(',')]);
    expect(text.stdout).toMatch(/length\s+100/);
    expect(text.stdout).toMatch(/left end\s+0/);
    expect(text.stdout).toMatch(/right end\s+99/);
    expect(text.stdout).toMatch(/status\s+ok/);
  });

  it('reports a combining deque (pending frames, unacked results) as sound, and inspect shows them', async () => {
    const name = `fsck-combining-${Date.now()}`;
    const deque = await Deque.create<number>(store, name, { combine: true });
    const other = connect(cluster.addresses);
    try {
      await Deque.bind<number>(other, name).append(1);
    } finally {
      await other.close();
    }
    await deque.append(2); // a lost CAS: announcing from now on, and the retry installs the log
    await deque.append(3); // announced: its result waits in the anchor until acked
    const anchor = (await store.get<{ v: number; q: string }>(`mcc:dq:${name}`))!.value;
    expect(anchor.v).toBe(2);
    // A frame another process announced and nobody applied yet (a pop from the left): a bin holding [opId, 4, nil].
    const body = store.codec.encode(['pendingPop1', 4, null]);
    expect(await store.client.append(`mcc:dq:${name}:q:${anchor.q}`, Buffer.concat([Buffer.from([0xc4, body.length]), body]))).not.toBeNull();

    const fsck = await runCli(['fsck', name, '--servers', cluster.addresses.join(',')]);
    expect(fsck.code).toBe(0);
    const inspect = await runCli(['inspect', name, '--servers', cluster.addresses.join(',')]);
    expect(inspect.code).toBe(0);
    expect(inspect.stdout).toMatch(/combining\s+generation 0, 1 operation pending, 1 result not yet acked/);
    const json = JSON.parse((await runCli(['inspect', name, '--json', '--servers', cluster.addresses.join(',')])).stdout) as { combining: { pendingFrames: { op: string }[] } };
    // (An ack frame of the idle process may be there too.)
    expect(json.combining.pendingFrames.filter((frame) => frame.op !== 'ack')).toEqual([{ id: 'pendingPop1', op: 'popLeft' }]);
  });

  it('says how to create a deque that does not exist', async () => {
    const run = await runCli(['fsck', 'no-such-deque', '--servers', cluster.addresses.join(',')]);
    expect(run.code).toBe(3);
    expect(run.stderr).toContain('MCC_ERR_DEQUE_NOT_FOUND');
    expect(run.stderr).toContain('mcc create no-such-deque');
  });
});
