/**
 * `Deque.open` (create or bind) and `Deque.exists`: both decided by the
 * anchor alone, which `create` writes with `add` — so two processes opening
 * the same name at once agree on one deque.
 */
import { mcasGet, type Store } from '@mcc/mcas';
import { DequeExistsError } from './errors';
import { dequeKeys, validateDequeName } from './keys';

/** Creates the deque, or binds to it if the name is taken (create's `add` lost to another creator). */
export async function openDeque<D>(create: () => Promise<D>, bind: () => D): Promise<D> {
  try {
    return await create();
  } catch (error) {
    if (error instanceof DequeExistsError) return bind();
    throw error;
  }
}

/** Whether the anchor of deque `name` exists (read through mcasGet: a move in flight is helped first). */
export async function dequeExists(store: Store, name: string, colocate: boolean): Promise<boolean> {
  return (await mcasGet(store, dequeKeys(validateDequeName(name), colocate).anchor)) !== null;
}
