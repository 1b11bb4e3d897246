/**
 * Pipelining: thousands of requests issued in one tick go out in a few
 * writes, and every reply settles the request it belongs to, in order —
 * checked against an in-memory model applying the same operations in issue
 * order. Quiet requests (getMulti's GETKQs, deleteQuiet) are mixed in, so
 * replies overtaking silent requests are exercised too.
 */
import { seededRandom, useMemcached } from '@mcc/harness';
import { Client, metricsDelta, type Item } from '../src';
import { uniqueKey } from './helpers';

type Op =
  | { kind: 'get'; key: string }
  | { kind: 'getMulti'; keys: string[] }
  | { kind: 'set'; key: string; value: string }
  | { kind: 'add'; key: string; value: string }
  | { kind: 'delete'; key: string }
  | { kind: 'deleteQuiet'; key: string }
  | { kind: 'incr'; key: string; delta: bigint; initial?: bigint };

/** What the model says an operation returns. `cas: 'new'` = a fresh CAS; `cas: bigint | undefined` on reads = the last CAS written (undefined: unknown). */
type Expected =
  | { kind: 'item'; value: string | null; cas: bigint | 'unknown' }
  | { kind: 'items'; values: Map<string, string> }
  | { kind: 'stored'; stored: boolean }
  | { kind: 'boolean'; value: boolean }
  | { kind: 'counter'; value: bigint | null };

describe('pipelining against three servers', () => {
  const mc = useMemcached(3);
  let client: Client;
  beforeAll(async () => {
    client = new Client(mc.addresses);
    await client.noop(); // connected, so the batch below is not queued behind handshakes
  });
  afterAll(async () => {
    await client.close();
  });

  test('10,000 mixed operations issued in one tick: every result equals the model, in order, in few writes', async () => {
    const random = seededRandom(20240607);
    const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
    const base = uniqueKey('pipe');
    const keys = Array.from({ length: 200 }, (_, i) => `${base}:${i}`);
    expect(new Set(keys.map((key) => client.serverFor(key))).size).toBe(3);

    // The model: value per key, and the CAS the last write returned (resolved after the run).
    const model = new Map<string, string>();
    const ops: Op[] = [];
    const expected: Expected[] = [];
    for (let i = 0; i < 10_000; i++) {
      const roll = random();
      const key = pick(keys);
      // Numbers without leading zeros: incr then only lengthens a value (memcached pads a
      // shorter result with spaces in place, which this model does not need to know).
      const value = String(1 + Math.floor(random() * 1e6));
      let op: Op;
      if (roll < 0.3) op = { kind: 'get', key };
      else if (roll < 0.35) op = { kind: 'getMulti', keys: Array.from({ length: 1 + Math.floor(random() * 6) }, () => pick(keys)) };
      else if (roll < 0.6) op = { kind: 'set', key, value };
      else if (roll < 0.7) op = { kind: 'add', key, value };
      else if (roll < 0.77) op = { kind: 'delete', key };
      else if (roll < 0.82) op = { kind: 'deleteQuiet', key };
      else if (roll < 0.91) op = { kind: 'incr', key, delta: BigInt(1 + Math.floor(random() * 1000)) };
      else op = { kind: 'incr', key, delta: BigInt(1 + Math.floor(random() * 1000)), initial: BigInt(value) };
      ops.push(op);

      switch (op.kind) {
        case 'get':
          expected.push({ kind: 'item', value: model.get(op.key) ?? null, cas: 'unknown' });
          break;
        case 'getMulti': {
          const values = new Map<string, string>();
          for (const k of op.keys) if (model.has(k)) values.set(k, model.get(k)!);
          expected.push({ kind: 'items', values });
          break;
        }
        case 'set':
          model.set(op.key, op.value);
          expected.push({ kind: 'stored', stored: true });
          break;
        case 'add': {
          const stored = !model.has(op.key);
          if (stored) model.set(op.key, op.value);
          expected.push({ kind: 'stored', stored });
          break;
        }
        case 'delete':
        case 'deleteQuiet':
          expected.push({ kind: 'boolean', value: model.delete(op.key) });
          break;
        case 'incr': {
          const current = model.get(op.key);
          let result: bigint | null;
          if (current !== undefined) result = (BigInt(current) + op.delta) % (1n << 64n);
          else result = op.initial ?? null;
          if (result !== null) model.set(op.key, result.toString());
          expected.push({ kind: 'counter', value: result });
          break;
        }
      }
    }

    const before = { ...client.metrics };
    // All issued synchronously: one tick.
    const promises: Promise<unknown>[] = ops.map((op) => {
      switch (op.kind) {
        case 'get': return client.get(op.key);
        case 'getMulti': return client.getMulti(op.keys);
        case 'set': return client.set(op.key, op.value);
        case 'add': return client.add(op.key, op.value);
        case 'delete': return client.delete(op.key);
        case 'deleteQuiet': return client.deleteQuiet(op.key);
        case 'incr': return op.initial === undefined ? client.incr(op.key, op.delta) : client.incr(op.key, op.delta, { initial: op.initial });
      }
    });
    const results = await Promise.all(promises);
    const delta = metricsDelta(before, client.metrics);

    // Check in issue order; CAS ids: a read returns the CAS of the last store in issue
    // order (unknown after an incr), and each server hands out increasing CAS ids.
    const lastCas = new Map<string, bigint | 'unknown'>();
    const lastCasOfServer = new Map<string, bigint>();
    let mismatches = 0;
    const mismatch = (index: number, detail: string): void => {
      mismatches++;
      if (mismatches <= 5) console.error(`op #${index} ${JSON.stringify(ops[index], (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v))}: ${detail}`);
    };
    results.forEach((result, index) => {
      const op = ops[index]!;
      const want = expected[index]!;
      switch (want.kind) {
        case 'item': {
          const item = result as Item | null;
          const key = (op as { key: string }).key;
          if ((item === null ? null : item.value.toString()) !== want.value) mismatch(index, `got ${item?.value.toString() ?? null}, want ${want.value}`);
          const cas = lastCas.get(key);
          if (item !== null && typeof cas === 'bigint' && item.cas !== cas) mismatch(index, `CAS ${item.cas}, want ${cas}`);
          break;
        }
        case 'items': {
          const items = result as Map<string, Item>;
          const got = new Map([...items].map(([k, item]) => [k, item.value.toString()]));
          if (JSON.stringify([...got].sort()) !== JSON.stringify([...want.values].sort())) mismatch(index, `got ${JSON.stringify([...got])}, want ${JSON.stringify([...want.values])}`);
          for (const [k, item] of items) {
            const cas = lastCas.get(k);
            if (item.key !== k) mismatch(index, `item under ${k} has key ${item.key}`);
            if (typeof cas === 'bigint' && item.cas !== cas) mismatch(index, `CAS of ${k} ${item.cas}, want ${cas}`);
          }
          break;
        }
        case 'stored': {
          const key = (op as { key: string }).key;
          if ((result !== null) !== want.stored) mismatch(index, `got ${String(result)}, want stored=${want.stored}`);
          if (typeof result === 'bigint') {
            lastCas.set(key, result);
            const server = client.serverFor(key);
            const previous = lastCasOfServer.get(server) ?? 0n;
            if (result <= previous) mismatch(index, `CAS ${result} is not above the previous CAS ${previous} of ${server}`);
            lastCasOfServer.set(server, result);
          }
          break;
        }
        case 'boolean':
          if (result !== want.value) mismatch(index, `got ${String(result)}, want ${want.value}`);
          if (want.value) lastCas.delete((op as { key: string }).key);
          break;
        case 'counter':
          if (result !== want.value) mismatch(index, `got ${String(result)}, want ${String(want.value)}`);
          if (want.value !== null) lastCas.set((op as { key: string }).key, 'unknown');
          break;
      }
    });
    expect(mismatches).toBe(0);

    // The model's final state is the servers' state.
    const final = await client.getMulti(keys);
    expect(new Map([...final].map(([k, item]) => [k, item.value.toString()]))).toEqual(model);

    // Every operation became at least one request (getMulti one per distinct key);
    // they left in a handful of writes (one per server per tick, plus NOOP fences riding along).
    const logicalRequests = ops.reduce((sum, op) => sum + (op.kind === 'getMulti' ? new Set(op.keys).size : 1), 0);
    expect(delta.requests).toBeGreaterThanOrEqual(logicalRequests);
    expect(delta.requests).toBeLessThanOrEqual(logicalRequests + 3); // at most one NOOP fence per server
    expect(delta.writes).toBeLessThanOrEqual(12);
    expect(delta.writes * 500).toBeLessThan(delta.requests);
    expect(delta.errors).toBe(0);
  });

  test('getMulti of 1,000 keys across 3 servers, about half missing', async () => {
    const base = uniqueKey('multi');
    const keys = Array.from({ length: 1000 }, (_, i) => `${base}:${i}`);
    const stored = keys.filter((_, i) => i % 2 === 0 || i % 7 === 0);
    const casOf = new Map<string, bigint>();
    await Promise.all(stored.map(async (key) => casOf.set(key, (await client.set(key, `value of ${key}`, { flags: key.length }))!)));

    const perServer = new Map<string, number>();
    for (const key of keys) perServer.set(client.serverFor(key), (perServer.get(client.serverFor(key)) ?? 0) + 1);
    expect(perServer.size).toBe(3);

    const before = { ...client.metrics };
    const found = await client.getMulti(keys);
    // getMulti may settle (its last key a hit) before a server's fence reply was read; a NOOP to every
    // server, answered after its fence, makes the count exact.
    await client.noop();
    const delta = metricsDelta(before, client.metrics);

    expect(found.size).toBe(stored.length);
    expect([...found.keys()].sort()).toEqual([...stored].sort());
    for (const key of stored) {
      const item = found.get(key)!;
      expect(item.key).toBe(key);
      expect(item.value.toString()).toBe(`value of ${key}`);
      expect(item.flags).toBe(key.length);
      expect(item.cas).toBe(casOf.get(key));
    }
    if (client.protocol === 'binary') {
      // one quiet get per key and one NOOP fence per server, one write per server; misses send nothing back
      expect(delta.requests).toBe(1000 + 3 + 3);
      expect(delta.responses).toBe(stored.length + 3 + 3);
    } else {
      // meta sends no quiet requests (its error lines carry no opaque): one mg and one reply (VA or EN) per key
      expect(delta.requests).toBe(1000 + 3);
      expect(delta.responses).toBe(1000 + 3);
    }
    expect(delta.writes).toBe(3 + 3);
  });

  test('getMulti with duplicate keys asks for each key once', async () => {
    const tag = `{${uniqueKey('dups')}}`; // one server, so the request count is exact
    const [a, b, missing] = [`${tag}a`, `${tag}b`, `${tag}missing`];
    await client.set(a!, 'A');
    await client.set(b!, 'B');
    const before = { ...client.metrics };
    const found = await client.getMulti([a!, a!, b!, missing!, b!, a!]);
    const delta = metricsDelta(before, client.metrics);
    expect([...found.keys()].sort()).toEqual([a, b].sort());
    expect(found.get(a!)!.value.toString()).toBe('A');
    expect(found.get(b!)!.value.toString()).toBe('B');
    const fences = client.protocol === 'binary' ? 1 : 0; // binary: quiet gets and a NOOP fence; meta: one reply per get
    expect(delta.requests).toBe(3 + fences);
    expect(delta.responses).toBe(client.protocol === 'binary' ? 2 + 1 : 3);
  });

  test('getMulti of no keys sends nothing; of only misses returns an empty map', async () => {
    const before = { ...client.metrics };
    expect((await client.getMulti([])).size).toBe(0);
    expect(metricsDelta(before, client.metrics).requests).toBe(0);
    const missing = Array.from({ length: 50 }, (_, i) => uniqueKey(`none-${i}`));
    expect((await client.getMulti(missing)).size).toBe(0);
  });

  test('quiet gets followed in the same tick by ordinary requests are settled by their replies', async () => {
    const tag = `{${uniqueKey('mix')}}`;
    const [hit, miss, after] = [`${tag}hit`, `${tag}miss`, `${tag}after`];
    await client.set(hit!, 'h');
    const before = { ...client.metrics };
    const multi = client.getMulti([miss!, hit!, miss + 'x']);
    const set = client.set(after!, 'a');
    const get = client.get(hit!);
    const [items, cas, item] = await Promise.all([multi, set, get]);
    const delta = metricsDelta(before, client.metrics);
    expect([...items.keys()]).toEqual([hit]);
    expect(typeof cas).toBe('bigint');
    expect(item!.value.toString()).toBe('h');
    // no fence was needed: the batch ends with a GET, which is not quiet
    expect(delta.requests).toBe(3 + 2);
    expect(delta.writes).toBe(1);
  });
});
