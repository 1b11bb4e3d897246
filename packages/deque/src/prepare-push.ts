/**
 * Turning pushed values into elements, with nothing left behind on failure:
 *
 *   1. every value is checked and encoded first (an EncodeError for the
 *      third value means nothing was written for the first two);
 *   2. the push is measured against the anchor's item limit: all its inline
 *      elements land in one buffer of one anchor (a push is atomic), so a
 *      push that cannot fit is refused here rather than after a chunk was
 *      flushed for it;
 *   3. large values are written to their own items (`add`), in parallel; if
 *      any write fails, the others are deleted again and the first error is
 *      thrown.
 */
import { EncodeError, InvalidArgumentError, mccFlags, RecordKind, REFERENCE_OVERHEAD_BYTES, ValueTooLargeError, type Store } from '@mcc/mcas';
import { elementSize, externalElement, inlineElement, isExternal, type Element } from './element';
import { DequeCorruptedError } from './errors';
import { randomId } from './ids';
import type { DequeKeys } from './keys';
import { dropQuietly } from './records';

/** Room for the anchor's fields besides its buffers: counters, the 16 recent batch ids, map headers. */
const ANCHOR_FIXED_BYTES = 512;

function encodeEach(store: Store, values: readonly unknown[]): Buffer[] {
  return values.map((value, index) => {
    const where = values.length > 1 ? ` (at index ${index})` : '';
    if (value === undefined) {
      throw new InvalidArgumentError(`cannot push undefined${where}: pops return undefined for an empty deque, so it is not a storable value`);
    }
    try {
      return store.codec.encode(value);
    } catch (error) {
      if (error instanceof EncodeError) throw error;
      throw new EncodeError(store.codec.name, `value${where}`, `could not be encoded: ${(error as Error).message}`, { cause: error });
    }
  });
}

/**
 * The largest total of inline elements one push may carry: half an anchor
 * (the other half is for the other buffer), less its fixed fields and the
 * MCAS reference a move wraps around it.
 */
async function pushBudget(store: Store, anchorKey: string): Promise<{ budget: number; server: string }> {
  const server = store.client.serverFor(anchorKey);
  const info = await store.client.serverInfo(server);
  const limit = info.maxValueLength(Buffer.byteLength(anchorKey, 'utf8'), mccFlags(RecordKind.DequeAnchor, store.codec.id));
  return { budget: Math.floor((limit - REFERENCE_OVERHEAD_BYTES - ANCHOR_FIXED_BYTES) / 2), server };
}

/**
 * The elements for `values`, large values already stored.
 *
 * @throws InvalidArgumentError (undefined), EncodeError, ValueTooLargeError, DequeCorruptedError (a fresh value key already taken), or the store's error — nothing left written
 */
export async function prepareElements(store: Store, name: string, keys: DequeKeys, values: readonly unknown[], inlineMaxBytes: number): Promise<Element[]> {
  const encoded = encodeEach(store, values);
  const elements = encoded.map((bytes) => (bytes.length <= inlineMaxBytes ? inlineElement(bytes) : externalElement(keys.value(randomId()))));
  const inlineBytes = elements.reduce((total, element) => total + elementSize(element), 5);
  const { budget, server } = await pushBudget(store, keys.anchor);
  if (inlineBytes > budget) {
    throw new ValueTooLargeError(
      inlineBytes,
      budget,
      `a push of ${values.length} values takes ${inlineBytes} bytes in the anchor, more than the ${budget} one push may take ` +
        `(half the item limit of ${server}, less the anchor's fields); push fewer values at a time. Nothing was written`,
      { key: keys.anchor, server },
    );
  }
  const taken = new Set<string>();
  const writes = elements.map(async (element, index): Promise<void> => {
    if (!isExternal(element)) return;
    if ((await store.add(element[1], values[index])) === null) {
      taken.add(element[1]); // 96 random bits: never in practice, and then not ours to delete
      // Someone else writes into this deque's key space: never overwrite (or later delete) what they wrote.
      throw new DequeCorruptedError(name, element[1], 'a fresh random value key was already taken: another writer uses the deque\'s key space; nothing was pushed');
    }
  });
  const results = await Promise.allSettled(writes);
  const failure = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (failure !== undefined) {
    // Written, or perhaps written (a lost reply): remove them all; a key never written is a harmless miss.
    for (const element of elements) if (isExternal(element) && !taken.has(element[1])) dropQuietly(store, element[1]);
    throw failure.reason;
  }
  return elements;
}
