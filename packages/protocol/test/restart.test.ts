/**
 * A restarted memcached starts its CAS counter again, so a CAS read before
 * the restart can match an unrelated new item. Items carry the server's
 * epoch; a conditional write with a CAS from an earlier epoch is refused
 * before anything is sent.
 */
import { startMemcached, type MemcachedServer } from '@mcc/harness';
import { Client, ConnectionClosedError, ConnectionError, StaleCasError, metricsDelta, type Item } from '../src';
import { rejectionOf, uniqueKey, waitFor } from './helpers';

describe('server restart and CAS epochs', () => {
  let server: MemcachedServer;
  let client: Client;
  beforeAll(async () => {
    server = await startMemcached();
    client = new Client([server.address], { reconnectStrategy: () => 20, connectTimeoutMs: 1000, requestTimeoutMs: 1000, onBackgroundError: () => {} });
  });
  afterAll(async () => {
    await client.close();
    await server.stop();
  });

  /** Waits until a request gets through; failures on the way may only be connection errors. */
  async function reconnected(): Promise<void> {
    await waitFor(async () => {
      try {
        await client.noop();
        return true;
      } catch (error) {
        expect([ConnectionClosedError.code, ConnectionError.code]).toContain((error as ConnectionError).code);
        return false;
      }
    }, 'the client to reconnect after the restart');
  }

  test('items are stamped with the epoch; after a restart a CAS from the old epoch is refused, unsent', async () => {
    const key = uniqueKey('restart');
    const firstPid = server.pid!;
    const infoBefore = await client.serverInfo();
    expect(infoBefore.pid).toBe(firstPid);
    expect(infoBefore.epoch).toBe(`${firstPid}:${infoBefore.startedAt}`);

    // The first store on a fresh server gets CAS 1.
    const casA = await client.set(key, 'before restart');
    const itemA: Item = (await client.get(key))!;
    expect(itemA.cas).toBe(casA);
    expect(itemA.epoch).toBe(infoBefore.epoch);

    await server.restart();
    expect(server.pid).not.toBe(firstPid);
    await reconnected();

    const infoAfter = await client.serverInfo();
    expect(infoAfter.pid).toBe(server.pid);
    expect(infoAfter.epoch).not.toBe(itemA.epoch);
    expect(await client.get(key)).toBeNull(); // memory is empty after a restart

    // Re-created by a plain set, the new item gets the very same CAS id as the old one:
    // a CAS write carrying itemA.cas would match it.
    const casB = await client.set(key, 'after restart');
    expect(casB).toBe(itemA.cas);

    const before = { ...client.metrics };
    const error = await rejectionOf(client.set(key, 'stale write', { cas: itemA.cas, epoch: itemA.epoch }));
    expect(error).toBeInstanceOf(StaleCasError);
    const stale = error as StaleCasError;
    expect(stale.code).toBe('MCC_ERR_STALE_CAS');
    expect(stale.casEpoch).toBe(itemA.epoch);
    expect(stale.currentEpoch).toBe(infoAfter.epoch);
    expect(stale.key).toBe(key);
    expect(stale.server).toBe(server.address);
    for (const attempt of [
      () => client.replace(key, 'stale', { cas: itemA.cas, epoch: itemA.epoch }),
      () => client.append(key, 'stale', { cas: itemA.cas, epoch: itemA.epoch }),
      () => client.prepend(key, 'stale', { cas: itemA.cas, epoch: itemA.epoch }),
      () => client.delete(key, { cas: itemA.cas, epoch: itemA.epoch }),
      () => client.deleteQuiet(key, { cas: itemA.cas, epoch: itemA.epoch }),
    ]) {
      expect(await rejectionOf(attempt())).toBeInstanceOf(StaleCasError);
    }
    expect(metricsDelta(before, client.metrics).requests).toBe(0); // nothing was sent

    const itemB = (await client.get(key))!;
    expect(itemB.value.toString()).toBe('after restart');
    expect(itemB.cas).toBe(casB);
    expect(itemB.epoch).toBe(infoAfter.epoch);
    expect((await client.getMulti([key])).get(key)!.epoch).toBe(infoAfter.epoch);

    // With the current epoch the conditional write goes through.
    const casC = await client.set(key, 'fresh cas', { cas: itemB.cas, epoch: itemB.epoch });
    expect(casC).not.toBeNull();
    expect((await client.get(key))!.value.toString()).toBe('fresh cas');
  });

  test('without the epoch, an old CAS silently matches the new item: the hazard the epoch guards against', async () => {
    const key = uniqueKey('hazard');
    await client.set(key, 'v0');
    const old = (await client.get(key))!;
    await server.restart();
    await reconnected();
    // Replay this server's CAS sequence up to old.cas, ending on `key`.
    const fillers = Number(old.cas) - 1;
    for (let i = 0; i < fillers; i++) await client.set(uniqueKey('filler'), 'x');
    expect(await client.set(key, 'unrelated new item')).toBe(old.cas);
    expect(await client.set(key, 'clobbered', { cas: old.cas })).not.toBeNull();
    expect(await rejectionOf(client.set(key, 'refused', { cas: old.cas, epoch: old.epoch }))).toBeInstanceOf(StaleCasError);
  });
});
