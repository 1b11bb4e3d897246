/**
 * `destroy` is a clear (one CAS) followed by a delete conditional on the
 * cleared anchor. A push landing between the two refused the delete, and
 * destroy resolved anyway — with the deque still there, holding that push.
 * The interleaving is forced by pushing from another handle right before the
 * delete is sent.
 */
import { useMemcached } from '@mcc/harness';
import { Deque, DequeNotFoundError, type Store } from '../src';
import { storeFactory } from './helpers';

const cluster = useMemcached(2, { evictions: false });
const stores = storeFactory();
afterAll(() => stores.closeAll());

/** Runs `before` once, right before the store's next conditional delete of `key`. */
function beforeDeleteOf(store: Store, key: string, before: () => Promise<void>): void {
  const original = store.delete.bind(store);
  let pending = true;
  store.delete = async (target) => {
    if (pending && typeof target !== 'string' && target.key === key) {
      pending = false;
      await before();
    }
    return original(target);
  };
}

describe('destroy racing a push', () => {
  it('leaves no deque behind when a push lands between its clear and its delete', async () => {
    const store = stores.open(cluster.addresses);
    const deque = await Deque.create<string>(store);
    await deque.extend(['a', 'b']);
    const other = Deque.bind<string>(stores.open(cluster.addresses), deque.name);
    beforeDeleteOf(store, `mcc:dq:${deque.name}`, () => other.append('late'));

    await deque.destroy();

    expect(await Deque.exists(store, deque.name)).toBe(false);
    await expect(Deque.bind(stores.open(cluster.addresses), deque.name).length()).rejects.toBeInstanceOf(DequeNotFoundError);
  });

  it('resolves when another destroy deleted the deque first', async () => {
    const store = stores.open(cluster.addresses);
    const deque = await Deque.create<string>(store);
    await deque.append('a');
    const otherStore = stores.open(cluster.addresses);
    // The other destroy runs whole between this one's clear and its delete.
    beforeDeleteOf(store, `mcc:dq:${deque.name}`, () => Deque.bind(otherStore, deque.name).destroy());

    await deque.destroy();

    expect(await Deque.exists(store, deque.name)).toBe(false);
  });
});
