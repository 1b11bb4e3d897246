/**
 * A handle bound without options reads the queue's record on its first
 * operation. That read can fail (a lost reply, a timeout, the queue not
 * created yet): the failure must be that operation's alone — the next
 * operation reads the record again. (Before the fix the rejected read was
 * kept, and every later operation of the handle failed with the same error
 * forever: found by test/linearizability.test.ts, where a worker whose first
 * read timed out recorded nothing but failures.)
 */
import { QueueNotFoundError, WorkQueue } from '../src';
import { storeFactory, uniqueNames, useProxiedMemcached } from './helpers';

const stores = storeFactory();
const { server, proxy } = useProxiedMemcached(stores);

const uniqueName = uniqueNames('sr');

test('a lost reply on the first read of the queue record fails that operation only', async () => {
  const name = uniqueName();
  const q = await WorkQueue.create<string>(stores.open(server.addresses), name);
  const bound = WorkQueue.bind<string>(stores.open([proxy().address], { requestTimeoutMs: 2000 }), name);
  proxy().injectReplyFault({ kind: 'cut' }); // the reply to the record's get
  await expect(bound.push('first')).rejects.toMatchObject({ code: expect.stringMatching(/^MCC_ERR_CONNECTION/) });
  await new Promise((resolve) => setTimeout(resolve, 300)); // the cut connection's reconnect back-off
  await bound.push('second');
  expect((await q.claim())?.value).toBe('second');
});

test('a handle bound before the queue exists works once it is created', async () => {
  const name = uniqueName();
  const store = stores.open(server.addresses);
  const early = WorkQueue.bind<string>(store, name);
  await expect(early.push('too early')).rejects.toBeInstanceOf(QueueNotFoundError);
  const q = await WorkQueue.create<string>(store, name);
  await early.push('in time');
  expect((await q.claim())?.value).toBe('in time');
});
