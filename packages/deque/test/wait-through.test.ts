import { FaultProxy, useMemcached, sleep } from '@mcc/harness';
import { ConnectionClosedError, Deque } from '../src';
import { storeFactory } from './helpers';

const server = useMemcached(1, { evictions: false });
const stores = storeFactory();
let proxy: FaultProxy;
beforeAll(async () => (proxy = await FaultProxy.start(server.addresses[0]!)));
afterAll(async () => {
  await stores.closeAll();
  await proxy.close();
});

/** Cuts every connection through the proxy and refuses new ones for `ms`. */
async function outage(ms: number): Promise<void> {
  proxy.setMode('refuse');
  proxy.dropConnections();
  await sleep(ms);
  proxy.setMode('pass');
}

describe('waiting through a dropped connection', () => {
  it('popLeftWait, moveToWait and consume keep waiting and get the value pushed after the outage', async () => {
    const clean = stores.open(server.addresses);
    const faulty = stores.open([proxy.address], { requestTimeoutMs: 500, connectTimeoutMs: 200 });
    const source = await Deque.create<string>(clean);
    const target = await Deque.create<string>(clean);
    const waitingPop = Deque.bind<string>(faulty, source.name).popLeftWait({ timeoutMs: 5000 });
    const waitingMove = Deque.bind<string>(faulty, source.name).moveToWait(Deque.bind<string>(faulty, target.name), { from: 'left', to: 'right', timeoutMs: 5000 });
    const controller = new AbortController();
    const consumed = (async () => {
      for await (const value of Deque.bind<string>(faulty, source.name).consume({ signal: controller.signal })) {
        controller.abort();
        return value;
      }
      return undefined;
    })();
    await sleep(100);
    await outage(400);
    await sleep(50);
    await outage(300);
    await source.extend(['a', 'b', 'c']);
    const results = await Promise.all([waitingPop, waitingMove, consumed]);
    expect([...results].sort()).toEqual(['a', 'b', 'c']);
    expect(await target.range(0, -1)).toEqual([results[1]]);
  });

  it('rejects with the connection error when the timeout passes during the outage (the deque may not be empty)', async () => {
    const clean = stores.open(server.addresses);
    const faulty = stores.open([proxy.address], { requestTimeoutMs: 300, connectTimeoutMs: 100 });
    const deque = await Deque.create<string>(clean);
    const waiting = Deque.bind<string>(faulty, deque.name).popWait({ timeoutMs: 300 }).catch((error: unknown) => error);
    proxy.setMode('refuse');
    proxy.dropConnections();
    const error = await waiting;
    proxy.setMode('pass');
    expect(error).toMatchObject({ code: expect.stringMatching(/^MCC_ERR_(CONNECTION|CONNECTION_CLOSED|TIMEOUT)$/) });
    expect(ConnectionClosedError.code).toBe('MCC_ERR_CONNECTION_CLOSED');
  });
});
