/**
 * `d.expire(seconds)`: lets an abandoned deque leave memcached by itself —
 * every record (chunks, large values, then the anchor) gets the TTL, like
 * Redis's EXPIRE on a key you are done with.
 *
 * memcached facts this relies on (checked against 1.6.18): `touch` sets an
 * item's expiry without changing its CAS id; a touched item is gone after
 * its TTL; any later write of an item with expiry 0 — which is what every
 * deque operation sends — makes it permanent again.
 *
 * So the TTL covers the deque as it is *now*: because `touch` leaves the
 * anchor's CAS id alone, an unchanged CAS id after the pass proves no
 * operation ran during it (otherwise the pass starts again). An operation
 * after `expire` writes the anchor (and any new chunk) permanent again while
 * the older chunks keep their TTL — they would vanish under a live anchor
 * and the deque would report itself corrupted. Call `expire` after the last
 * use, or `expire(0)` to make every record permanent again before reusing it.
 */
import { InvalidArgumentError, MAX_RELATIVE_TTL_SECONDS, McasContentionError } from '@mcc/mcas';
import { hasChunks } from './anchor';
import { parseChunk } from './chunk';
import { isExternal, type Element } from './element';
import type { DequeRecords } from './records';

const SLICE = 100;
const ATTEMPTS = 10;

export async function expireDeque(records: DequeRecords, seconds: number): Promise<void> {
  if (!Number.isInteger(seconds) || seconds < 0 || seconds > MAX_RELATIVE_TTL_SECONDS) {
    throw new InvalidArgumentError(`expire needs a whole number of seconds from 0 (never expire) to ${MAX_RELATIVE_TTL_SECONDS}, got ${String(seconds)}`);
  }
  const client = records.store.client;
  const touchAll = async (keys: readonly string[]): Promise<void> => {
    for (let start = 0; start < keys.length; start += SLICE) await Promise.all(keys.slice(start, start + SLICE).map((key) => client.touch(key, seconds)));
  };
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const anchor = await records.readAnchor();
    const { value } = anchor;
    const external = (elements: readonly Element[]): string[] => elements.filter(isExternal).map((element) => element[1]);
    const keys = [...external(value.l), ...external(value.r)];
    if (hasChunks(value)) {
      for (let start = value.a; start <= value.b; start += SLICE) {
        const chunkKeys = Array.from({ length: Math.min(SLICE, value.b - start + 1) }, (_, index) => records.keys.chunk(start + index));
        const found = await records.store.getMulti(chunkKeys);
        for (const entry of found.values()) {
          const chunk = parseChunk(entry.value);
          if (typeof chunk !== 'string') keys.push(...external(chunk.e));
        }
        keys.push(...chunkKeys);
      }
    }
    await touchAll(keys);
    await client.touch(records.keys.anchor, seconds);
    // touch keeps CAS ids: the same one now means nothing changed the deque during the pass.
    let after;
    try {
      after = await records.readAnchor();
    } catch (error) {
      // The TTL just set may have run out already (memcached counts whole seconds, so 1 s can be
      // less): the anchor gone is what expire is for. Seen once in CI under load with expire(1).
      if (seconds > 0 && (await records.store.get(records.keys.anchor)) === null) return;
      throw error;
    }
    if (after.cas === anchor.cas) return;
  }
  throw new McasContentionError(records.keys.anchor, ATTEMPTS, `expire: deque "${records.name}" kept changing during ${ATTEMPTS} passes; expire it once it is no longer in use`);
}
