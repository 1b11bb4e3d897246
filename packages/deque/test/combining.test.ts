/**
 * Cross-process combining, rule by rule (src/combine.ts), on a real server:
 * each lost-reply rule of the announcement replayed deterministically by
 * intercepting the announcer's `append` (a lost reply is what a real server
 * cannot show on demand; the randomized version is the fault-proxy
 * linearizability test), the generation switch, and the anchor fields
 * surviving every other writer.
 */
import { useMemcached } from '@mcc/harness';
import { ConnectionClosedError, mccFlags, ProtocolError, RecordKind } from '@mcc/mcas';
import { Deque, type Store } from '../src';
import type { Anchor } from '../src/anchor';
import { storeFactory, writesDuring } from './helpers';

const cluster = useMemcached(1, { evictions: false });
const stores = storeFactory();
afterAll(() => stores.closeAll());

type Append = (key: string, value: Buffer, real: () => Promise<bigint | null>) => Promise<bigint | null>;

/** Routes the store's appends (the announcements) through `hook`; everything else goes to the real client. */
function interceptAppends(store: Store, hook: Append): void {
  const client = store.client;
  const proxy = new Proxy(client, {
    get(target, property) {
      if (property === 'append') return (key: string, value: Buffer) => hook(key, value, () => target.append(key, value));
      const value = Reflect.get(target, property, target) as unknown;
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
  Object.defineProperty(store, 'client', { value: proxy });
}

async function anchorOf(store: Store, name: string): Promise<Anchor> {
  return (await store.get<Anchor>(`mcc:dq:${name}`))!.value;
}

/**
 * A deque whose handle on `mine` is in announcing mode with a log installed:
 * a direct push from another process makes its cached anchor stale, so its
 * next CAS loses (announcing starts) and the retry installs the log.
 */
async function contendedDeque(mine: Store): Promise<{ deque: Deque<string>; other: Deque<string> }> {
  const theirs = stores.open(cluster.addresses);
  const deque = await Deque.create<string>(mine, undefined, { combine: true });
  const other = Deque.bind<string>(theirs, deque.name);
  await other.append('o1');
  await deque.append('m1');
  expect(deque.stats.casFailures).toBe(1);
  const anchor = await anchorOf(mine, deque.name);
  expect(anchor.v).toBe(2);
  expect(anchor.q).toBeDefined();
  return { deque, other };
}

const lost = (): ConnectionClosedError => new ConnectionClosedError('connection closed (injected: the reply to the append was lost)');

async function contents(deque: Deque<string>): Promise<string[]> {
  return deque.range(0, -1);
}

describe('announcing', () => {
  it('is used once a CAS was lost, and the frame is applied by the announcer itself (no one else combining)', async () => {
    const mine = stores.open(cluster.addresses);
    const { deque } = await contendedDeque(mine);
    await deque.append('m2');
    expect(deque.stats.announced).toBe(1);
    expect(deque.stats.combined).toBe(1);
    expect(await contents(deque)).toEqual(['o1', 'm1', 'm2']);
    expect(await deque.popLeft()).toBe('o1');
  });

  it('a lone caller with combining on still pays one round trip per push and pop', async () => {
    const store = stores.open(cluster.addresses);
    const deque = await Deque.create<string>(store, undefined, { combine: true });
    expect(await writesDuring(store, () => deque.append('a'))).toBe(1);
    expect(await writesDuring(store, () => deque.popLeft())).toBe(1);
    expect(deque.stats.announced).toBe(0);
  });
});

describe('a lost reply to the append', () => {
  it('frame landed, log still current: applied exactly once (the announcer finds its frame and combines it)', async () => {
    const mine = stores.open(cluster.addresses);
    const { deque } = await contendedDeque(mine);
    let calls = 0;
    interceptAppends(mine, async (_key, _value, real) => {
      if (calls++ > 0) return real();
      await real();
      throw lost();
    });
    await deque.append('landed');
    expect(calls).toBe(1);
    expect((await contents(deque)).filter((value) => value === 'landed')).toHaveLength(1);
  });

  it('torn (a ProtocolError for the request in flight), frame landed: applied exactly once, never also directly', async () => {
    const mine = stores.open(cluster.addresses);
    const { deque } = await contendedDeque(mine);
    let calls = 0;
    interceptAppends(mine, async (_key, _value, real) => {
      if (calls++ > 0) return real();
      await real();
      throw new ProtocolError('append: unexpected reply (injected: torn); the connection was closed with the request in flight, it may or may not have been applied');
    });
    await deque.append('torn');
    await deque.popLeft(); // o1
    expect(await deque.popLeft()).toBe('m1');
    expect(await deque.popLeft()).toBe('torn');
    expect(await deque.popLeft()).toBeUndefined();
  });

  it('frame absent, log still current: a switch fences the log first, so a late append can never apply it', async () => {
    const mine = stores.open(cluster.addresses);
    const { deque, other } = await contendedDeque(mine);
    const before = await anchorOf(mine, deque.name);
    let late: { key: string; value: Buffer } | null = null;
    let calls = 0;
    interceptAppends(mine, async (key, value, real) => {
      if (calls++ > 0) return real();
      late = { key, value }; // never sent: it arrives "late", below
      throw lost();
    });
    await deque.append('fenced');
    const after = await anchorOf(mine, deque.name);
    expect(after.g).toBeGreaterThan(before.g!);
    expect(after.q).not.toBe(before.q);
    // The late append lands in the old log (re-created here, as if the switcher's delete had not happened yet).
    const raw = stores.open(cluster.addresses).client;
    await raw.add(late!.key, Buffer.alloc(0), { flags: mccFlags(RecordKind.DequeNode, mine.codec.id) });
    await raw.append(late!.key, late!.value);
    // Other processes keep combining: the old log is never read again.
    await other.append('o2');
    await deque.append('m3');
    const values = await contents(deque);
    expect(values.filter((value) => value === 'fenced')).toHaveLength(1);
    expect(values).toEqual(['o1', 'm1', 'fenced', 'o2', 'm3']);
  });

  it('log replaced meanwhile and the result not in x: the frame is dead, announced again, applied once', async () => {
    const mine = stores.open(cluster.addresses);
    const { deque } = await contendedDeque(mine);
    const switcher = stores.open(cluster.addresses);
    let calls = 0;
    interceptAppends(mine, async (_key, _value, real) => {
      const result = await real();
      if (calls++ === 0) {
        // Another combiner, which read the log before this append, switches generations: our frame is now dead.
        const entry = (await switcher.get<Anchor>(`mcc:dq:${deque.name}`))!;
        const fresh = `switch${Date.now().toString(36)}`;
        await switcher.client.add(`mcc:dq:${deque.name}:q:${fresh}`, Buffer.alloc(0), { flags: mccFlags(RecordKind.DequeNode, mine.codec.id) });
        expect(await switcher.cas(entry, { ...entry.value, s: entry.value.s + 1, o: [...entry.value.o, 'sw'], g: entry.value.g! + 1, q: fresh, k: 0 }, { kind: entry.kind })).not.toBeNull();
      }
      return result;
    });
    const announcedBefore = deque.stats.announced;
    await deque.append('again');
    expect(deque.stats.announced - announcedBefore).toBe(2); // announced, found dead, announced again
    expect((await contents(deque)).filter((value) => value === 'again')).toHaveLength(1);
  });

  it('log missing (deleted, evicted): nothing is announced, the direct CAS switches to a new log', async () => {
    const mine = stores.open(cluster.addresses);
    const { deque } = await contendedDeque(mine);
    const before = await anchorOf(mine, deque.name);
    await mine.client.delete(`mcc:dq:${deque.name}:q:${before.q}`);
    await deque.append('direct');
    const after = await anchorOf(mine, deque.name);
    expect(after.q).not.toBe(before.q);
    expect(await contents(deque)).toEqual(['o1', 'm1', 'direct']);
  });
});

describe('the log', () => {
  it('holding bytes that are not frames (a foreign writer) is switched away from; nothing is lost', async () => {
    const mine = stores.open(cluster.addresses);
    const { deque } = await contendedDeque(mine);
    const before = await anchorOf(mine, deque.name);
    expect(await mine.client.append(`mcc:dq:${deque.name}:q:${before.q}`, Buffer.from('not a frame'))).not.toBeNull();
    await deque.append('m2');
    await deque.append('m3');
    const after = await anchorOf(mine, deque.name);
    expect(after.q).not.toBe(before.q);
    expect(await contents(deque)).toEqual(['o1', 'm1', 'm2', 'm3']);
  });

  it('is deleted with the deque', async () => {
    const mine = stores.open(cluster.addresses);
    const { deque } = await contendedDeque(mine);
    const { q } = await anchorOf(mine, deque.name);
    expect(await mine.client.get(`mcc:dq:${deque.name}:q:${q}`)).not.toBeNull();
    await deque.destroy();
    await mine.client.noop();
    expect(await mine.client.get(`mcc:dq:${deque.name}:q:${q}`)).toBeNull();
  });
});

describe('pending results', () => {
  it('survive every other writer: direct CASes of a non-combining process, clear, rotations, moves and transact', async () => {
    const mine = stores.open(cluster.addresses);
    const { deque } = await contendedDeque(mine);
    const entry = (await mine.get<Anchor>(`mcc:dq:${deque.name}`))!;
    // A result waiting for an announcer that has not read it yet (a popped value).
    const pending = { ...entry.value.x, parked: [0, Buffer.from([0xa1, 0x70])] };
    expect(await mine.cas(entry, { ...entry.value, s: entry.value.s + 1, o: [...entry.value.o, 'park'], x: pending }, { kind: entry.kind })).not.toBeNull();
    const plainStore = stores.open(cluster.addresses);
    const plain = Deque.bind<string>(plainStore, deque.name, { combine: false });
    const target = await Deque.create<string>(plainStore);
    await plain.append('p1');
    await plain.popLeft();
    await plain.moveTo(plain, { from: 'left', to: 'right' });
    await plain.moveTo(target);
    await plain.append('p2');
    await Deque.transact([{ deque: plain, take: { side: 'left', count: 1 } }], () => ({ pushes: [{ step: 0, side: 'right', values: [{ value: 'p3' }] }], result: null }));
    await plain.clear();
    const after = await anchorOf(mine, deque.name);
    expect(after.v).toBe(2);
    expect(after.x?.['parked']).toEqual([0, Buffer.from([0xa1, 0x70])]);
    expect(after.q).toBe(entry.value.q);
  });
});
