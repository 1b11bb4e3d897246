/**
 * Lost replies and dropped connections during an MCAS, through the
 * harness's TCP fault proxy: every outcome is either resolved by re-reading
 * (the result matches what the servers hold) or reported as
 * McasOutcomeUnknownError with the descriptor key, after which
 * `mcasOutcome` tells the truth. Never a silent wrong answer.
 */
import { FaultProxy, useMemcached } from '@mcc/harness';
import { setTimeout as sleep } from 'node:timers/promises';
import { mcas, mcasGetMulti, mcasOutcome, McasOutcomeUnknownError, type McasStep, type Store } from '../src';
import { descriptorAt, expectNoReferences, StorePool, uniqueKeys } from './helpers';

const OLD = [1, 2, 3];
const NEW = [10, 20, 30];
/** Short timeouts so a lost reply costs 300 ms, not the default 5 s. */
const FAST_FAILURE = { requestTimeoutMs: 300, connectTimeoutMs: 300 };

type Outcome = { result: boolean } | { error: Error };

async function attempt(run: () => Promise<boolean>): Promise<Outcome> {
  try {
    return { result: await run() };
  } catch (error) {
    return { error: error as Error };
  }
}

function at(target: McasStep, action: () => void | Promise<void>): { afterStep(step: McasStep): Promise<void> } {
  return {
    async afterStep(step) {
      if (JSON.stringify(step) === JSON.stringify(target)) await action();
    },
  };
}

describe('lost replies during an MCAS (one server behind a fault proxy)', () => {
  const mc = useMemcached(1);
  const pool = new StorePool();
  let proxy: FaultProxy;
  let store: Store;
  let truth: Store;
  beforeAll(async () => {
    proxy = await FaultProxy.start(mc.addresses[0]!);
    truth = pool.open(mc.addresses);
  });
  beforeEach(() => {
    proxy.setMode('pass');
    store = pool.open([proxy.address], FAST_FAILURE);
  });
  afterAll(async () => {
    await pool.closeAll();
    await proxy.close();
  });

  /**
   * Drops replies from now until the client has seen a request fail (the
   * next request's reply was lost and it timed out), then heals the link, so
   * the re-reads that follow get through whatever the machine's speed.
   */
  function dropUntilLost(client: Store): void {
    const errorsBefore = client.client.metrics.errors;
    proxy.setMode('drop-responses');
    const poll = setInterval(() => {
      if (client.client.metrics.errors === errorsBefore) return;
      clearInterval(poll);
      proxy.setMode('pass');
    }, 5);
  }

  async function seed(): Promise<string[]> {
    const keys = uniqueKeys('lost', OLD.length);
    await Promise.all(keys.map((key, index) => truth.set(key, OLD[index])));
    return keys;
  }

  async function transfer(keys: readonly string[], hooks: { afterStep(step: McasStep): Promise<void> }): Promise<Outcome> {
    // Read directly (same server, same CAS ids): a read through the short timeouts could fail on a busy machine.
    const entries = await mcasGetMulti(truth, keys);
    return attempt(() => mcas(store, keys.map((key, index) => [entries.get(key)!, NEW[index]] as const), { hooks }));
  }

  /** The values the servers hold, read directly (helping whatever is left in flight), and no reference left. */
  async function reality(keys: readonly string[]): Promise<unknown[]> {
    const entries = await mcasGetMulti(truth, keys);
    await expectNoReferences(truth, keys);
    return keys.map((key) => entries.get(key)?.value);
  }

  /** The core property: what mcas said is what happened. */
  async function expectTruthful(keys: readonly string[], outcome: Outcome): Promise<'true' | 'false' | 'unknown' | 'error'> {
    proxy.setMode('pass');
    if ('result' in outcome) {
      expect(await reality(keys)).toEqual(outcome.result ? NEW : OLD);
      return outcome.result ? 'true' : 'false';
    }
    if (outcome.error instanceof McasOutcomeUnknownError) {
      expect(outcome.error.descriptorKey).toMatch(/^mcc:mcas:/);
      const settled = await mcasOutcome(truth, outcome.error.descriptorKey);
      expect(settled).not.toBeNull();
      expect(await reality(keys)).toEqual(settled ? NEW : OLD);
      return 'unknown';
    }
    // Any other error means nothing changed.
    expect(await reality(keys)).toEqual(OLD);
    return 'error';
  }

  test('an acquire reply lost, the server back before the re-read: resolved, true', async () => {
    const keys = await seed();
    const errorsBefore = store.client.metrics.errors;
    const outcome = await transfer(keys, at({ acquired: 0 }, () => dropUntilLost(store)));
    expect(store.client.metrics.errors).toBeGreaterThan(errorsBefore); // the reply really was lost
    expect(await expectTruthful(keys, outcome)).toBe('true');
  });

  test('the decision reply lost, the server back before the re-read: resolved, true', async () => {
    const keys = await seed();
    const errorsBefore = store.client.metrics.errors;
    const outcome = await transfer(keys, at({ acquired: 2 }, () => dropUntilLost(store)));
    expect(store.client.metrics.errors).toBeGreaterThan(errorsBefore);
    expect(await expectTruthful(keys, outcome)).toBe('true');
  });

  test('the decision reply lost and the server unreachable after: McasOutcomeUnknownError, and mcasOutcome tells the truth', async () => {
    const keys = await seed();
    const outcome = await transfer(keys, at({ acquired: 2 }, () => proxy.setMode('drop-responses')));
    expect(await expectTruthful(keys, outcome)).toBe('unknown');
  });

  test('an acquire reply lost and the server unreachable after: outcome unknown (all on one server), then settled', async () => {
    const keys = await seed();
    const outcome = await transfer(keys, at({ acquired: 0 }, () => proxy.setMode('drop-responses')));
    expect(await expectTruthful(keys, outcome)).toBe('unknown');
  });

  test('connections dropped with the release in flight: resolved by re-reading, true', async () => {
    const keys = await seed();
    const outcome = await transfer(keys, at('decided', () => {
      proxy.setMode('drop-responses');
      setTimeout(() => {
        proxy.dropConnections();
        proxy.setMode('pass');
      }, 50);
    }));
    expect(await expectTruthful(keys, outcome)).toBe('true');
  });

  test('replies dropped for good during the release: the outcome is still known, true', async () => {
    const keys = await seed();
    const outcome = await transfer(keys, at('decided', () => proxy.setMode('drop-responses')));
    expect(await expectTruthful(keys, outcome)).toBe('true');
  });

  test('randomised: faults at a random moment never give a wrong answer', async () => {
    const seen = new Set<string>();
    for (let round = 0; round < 6; round++) {
      const keys = await seed();
      const delayMs = Math.floor(Math.random() * 4);
      const entries = await mcasGetMulti(truth, keys);
      const running = attempt(() => mcas(store, keys.map((key, index) => [entries.get(key)!, NEW[index]] as const)));
      await sleep(delayMs);
      proxy.setMode('drop-responses');
      const healAfter = round % 2 === 0 ? 100 : 1000;
      const heal = setTimeout(() => proxy.setMode('pass'), healAfter);
      const outcome = await running;
      clearTimeout(heal);
      try {
        seen.add(await expectTruthful(keys, outcome));
      } catch (error) {
        const what = 'result' in outcome ? `returned ${outcome.result}` : `threw ${outcome.error.stack ?? outcome.error.message}`;
        throw new Error(`round ${round} (fault after ${delayMs} ms, healed after ${healAfter} ms): mcas ${what}\n${(error as Error).message}`);
      }
      store = pool.open([proxy.address], FAST_FAILURE);
    }
    expect(seen.size).toBeGreaterThan(0);
  }, 30_000);

  test('a single-entry MCAS (one plain CAS) whose reply is lost: McasOutcomeUnknownError naming the key, not a raw ConnectionClosedError', async () => {
    const [key] = uniqueKeys('lost-single', 1);
    await truth.set(key!, 1);
    const entry = (await mcasGetMulti(truth, [key!])).get(key!)!;
    await store.client.version(); // connected: the next request is the CAS
    dropUntilLost(store);
    const outcome = await attempt(() => mcas(store, [[entry, 2]]));
    proxy.setMode('pass');
    expect('error' in outcome).toBe(true);
    const error = (outcome as { error: Error }).error;
    expect(error).toBeInstanceOf(McasOutcomeUnknownError);
    expect(error).toMatchObject({ code: 'MCC_ERR_MCAS_OUTCOME_UNKNOWN', descriptorKey: '', key });
    expect(['MCC_ERR_TIMEOUT', 'MCC_ERR_CONNECTION_CLOSED']).toContain((error.cause as { code?: string }).code);
    // Atomic either way: the key holds the old value or the new one.
    expect([1, 2]).toContain((await truth.get(key!))?.value);
  });
});

describe('lost replies with the descriptor on a healthy server', () => {
  const mc = useMemcached(2);
  const pool = new StorePool();
  let proxy: FaultProxy;
  beforeAll(async () => {
    // Server 1 is reached through the proxy, server 0 directly.
    proxy = await FaultProxy.start(mc.addresses[1]!);
  });
  afterAll(async () => {
    await pool.closeAll();
    await proxy.close();
  });

  test('a location unreachable after a lost reply: the originator aborts (decides FAILED) and throws; nothing changed', async () => {
    // Until the random descriptor key lands on the healthy server (each try: 1/2).
    for (let tries = 0; tries < 20; tries++) {
      proxy.setMode('pass');
      const servers = [mc.addresses[0]!, proxy.address];
      const store = pool.open(servers, FAST_FAILURE);
      // Reads the same servers (the ring hashes the addresses) while no fault is injected.
      const truth = pool.open(servers);
      const healthy = store.client.servers[0]!;
      const keys = pickKeys(store, healthy);
      await Promise.all(keys.map((key, index) => truth.set(key, OLD[index])));
      const entries = await mcasGetMulti(truth, keys);
      let descriptorOnHealthy = false;
      const outcome = await attempt(() =>
        mcas(store, keys.map((key, index) => [entries.get(key)!, NEW[index]] as const), {
          hooks: at({ acquired: 0 }, async () => {
            descriptorOnHealthy = store.client.serverFor(await descriptorAt(store, keys[0]!)) === healthy;
            if (!descriptorOnHealthy) throw new Error('wrong server: stop here and try again');
            proxy.setMode('drop-responses');
          }),
        }),
      );
      proxy.setMode('pass');
      if (!descriptorOnHealthy) continue;
      expect('error' in outcome && outcome.error).toMatchObject({ code: expect.stringMatching(/^MCC_ERR_(TIMEOUT|CONNECTION|CONNECTION_CLOSED)$/) });
      const after = await mcasGetMulti(truth, keys);
      expect(keys.map((key) => after.get(key)?.value)).toEqual(OLD);
      await expectNoReferences(truth, keys);
      return;
    }
    throw new Error('the descriptor never landed on the healthy server in 20 tries');
  }, 60_000);
});

/** Three keys in order: the first on `healthy`, the second on the other server, the third anywhere. */
function pickKeys(store: Store, healthy: string): string[] {
  const [base] = uniqueKeys('split-servers', 1);
  const find = (prefix: string, wantHealthy: boolean): string => {
    for (let index = 0; ; index++) {
      const key = `${base}:${prefix}:${index}`;
      if ((store.client.serverFor(key) === healthy) === wantHealthy) return key;
    }
  };
  return [find('a', true), find('b', false), find('c', true)];
}
