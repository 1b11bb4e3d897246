/**
 * `create` on a taken name writes nothing — so `open` never papers over a
 * deque of the queue that was lost (its server restarted): before, `create`
 * opened the four deques first, which re-created a missing one empty, and
 * only then found the name taken; `open` bound to the result, and the lost
 * jobs were silently gone.
 */
import { useMemcached } from '@mcc/harness';
import { Deque, QueueCorruptedError, QueueExistsError, WorkQueue } from '../src';
import { storeFactory, uniqueNames } from './helpers';

const cluster = useMemcached(2, { evictions: false });
const stores = storeFactory();
afterAll(() => stores.closeAll());
const uniqueName = uniqueNames('qc');

describe('WorkQueue.create on a taken name', () => {
  it('refuses before writing anything, so a lost deque stays missing', async () => {
    const store = stores.open(cluster.addresses);
    const name = uniqueName();
    const q = await WorkQueue.create<string>(store, name);
    await q.pushMany(['a', 'b']);
    // The ready deque's anchor is lost, as with a restart of its server.
    expect(await store.delete(`mcc:dq:${name}/ready`)).toBe(true);

    await expect(WorkQueue.create(store, name)).rejects.toBeInstanceOf(QueueExistsError);
    expect(await store.get(`mcc:dq:${name}/ready`)).toBeNull();

    // open binds; the loss is reported, as the queue's (the deque's own error would say "create it").
    const opened = await WorkQueue.open<string>(stores.open(cluster.addresses), name);
    for (const operation of [() => opened.claim(), () => opened.stats(), () => q.push('c')]) {
      const error = await operation().catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(QueueCorruptedError);
      expect((error as Error).message).toContain(`its deque "${name}/ready" is missing`);
    }
  });

  it('still completes a create that died before its record', async () => {
    const store = stores.open(cluster.addresses);
    const name = uniqueName();
    await WorkQueue.create(store, name);
    expect(await store.delete(`mcc:q:${name}`)).toBe(true); // as if create had died before writing the record
    const again = await WorkQueue.create<string>(store, name);
    await again.push('x');
    expect((await again.claim())?.value).toBe('x');
  });

  it('names its four deques for operators, and they exist', async () => {
    const store = stores.open(cluster.addresses);
    const name = uniqueName();
    const q = await WorkQueue.create(store, name);
    expect(q.dequeNames).toEqual([`${name}/ready`, `${name}/taken`, `${name}/delayed`, `${name}/dead`]);
    expect(await Promise.all(q.dequeNames.map((deque) => Deque.exists(store, deque)))).toEqual([true, true, true, true]);
    expect(q.dequeNames).toContain(q.deadLetters.name);
  });
});
