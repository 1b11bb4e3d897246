/**
 * Reading locations that may take part in an MCAS. A location can hold a
 * reference of an MCAS in flight; handing that out — or its CAS id — would
 * let a later CAS overwrite an MCAS halfway through. So a reference is never
 * returned: the MCAS it belongs to is helped to completion (help.ts) and the
 * location read again, until it holds a value.
 *
 * Helping is deferred by one more look: a reference found on the first
 * read is usually an MCAS whose originator is a round trip or two from
 * releasing it, and helping it then costs several round trips and races
 * the originator's own writes (under contention most of a loser's CPU went
 * there). So the reader reads again first (one round trip later), and helps
 * only what still holds a reference then. A dead originator's MCAS is
 * thereby completed one round trip later, which keeps every read lock-free:
 * the extra look is bounded, and then the reader helps.
 *
 * Corruption is told apart from progress by looking twice: if, after
 * helping (or finding the descriptor gone), the location still holds the
 * same reference with the same CAS, nothing will ever resolve it —
 * McasCorruptionError, never an endless loop. A location that keeps
 * changing is progress by others; after {@link MAX_HELP_ROUNDS} rounds a
 * reader gives up with McasContentionError.
 */
import type { Entry, Store } from '@mcc/codec';
import { REFERENCE_KIND } from './kinds';
import { McasContentionError, McasCorruptionError } from './errors';
import { help, type HelpResult } from './help';
import { RecordError } from './record-error';
import { checkStore } from './options';
import { parseReference } from './reference';

/** Rounds of "help, read again" one read accepts before giving up. */
export const MAX_HELP_ROUNDS = 100;

/**
 * Before helping, a reader yields to the event loop once and reads again:
 * the re-read's own round trip is the wait (the originator gets that long to
 * release). A timer of 1 ms was tried first and measured worse on the queue
 * bench (4 × 8: a millisecond is 5–10 loopback round trips of delay).
 */
function patience(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function isReference(entry: Entry<unknown> | null | undefined): entry is Entry<unknown> {
  return entry !== null && entry !== undefined && entry.kind === REFERENCE_KIND;
}

/** The descriptor a reference points at. @throws McasCorruptionError for an unreadable reference */
function descriptorOf(store: Store, entry: Entry<unknown>): string {
  try {
    return parseReference(entry.value).descriptorKey;
  } catch (error) {
    if (!(error instanceof RecordError)) throw error;
    const claimed = (entry.value as { d?: unknown } | null)?.d;
    throw new McasCorruptionError(entry.key, typeof claimed === 'string' ? claimed : '', `the reference record is not valid: ${error.reason}`, {
      cause: error,
      server: store.client.serverFor(entry.key),
    });
  }
}

/** After helping: the same reference, unchanged, means it can never be resolved. */
function checkProgress(store: Store, before: Entry<unknown>, after: Entry<unknown> | null | undefined, descriptorKey: string, result: HelpResult): void {
  if (isReference(after) && after.cas === before.cas) {
    const reason =
      result === 'missing'
        ? 'the descriptor is missing (evicted, expired or deleted) and the location did not change'
        : 'the location still holds the reference after its MCAS was completed';
    throw new McasCorruptionError(before.key, descriptorKey, reason, { server: store.client.serverFor(before.key) });
  }
}

/**
 * Reads `key`, first completing any MCAS in flight on it, so the entry (and
 * its CAS) is a plain value you can pass to `mcas` or `store.cas`. `null` if
 * the key is missing.
 *
 * @throws McasCorruptionError when the key holds a reference nothing can resolve
 * @throws McasContentionError when new MCAS kept taking the key
 */
export async function mcasGet<T = unknown>(store: Store, key: string): Promise<Entry<T> | null> {
  checkStore(store, 'mcasGet');
  let entry = await store.get<T>(key);
  if (isReference(entry)) {
    await patience();
    entry = await store.get<T>(key);
  }
  for (let round = 0; isReference(entry); round++) {
    if (round >= MAX_HELP_ROUNDS) throw new McasContentionError(key, round);
    const descriptorKey = descriptorOf(store, entry);
    const result = await help(store, descriptorKey, key);
    const next = await store.get<T>(key);
    checkProgress(store, entry, next, descriptorKey, result);
    entry = next;
  }
  return entry;
}

/**
 * Reads many keys (one getMulti: pipelined per server, servers in
 * parallel), completes every MCAS found in flight on them (in parallel, each
 * once), and reads again the keys that held a reference — and the requested
 * keys the completed MCAS also wrote, so that the result reflects each
 * helped MCAS whole — until none holds a reference. Missing keys are absent
 * from the map.
 *
 * Like `mcasGet` for each key, this is not a snapshot of all keys at one
 * instant when other clients write concurrently; an `mcas` over the entries
 * simply fails (`false`) if any of them changed, and the caller retries.
 *
 * @throws McasCorruptionError, McasContentionError as {@link mcasGet}
 */
export async function mcasGetMulti<T = unknown>(store: Store, keys: Iterable<string>): Promise<Map<string, Entry<T>>> {
  checkStore(store, 'mcasGetMulti');
  const requested = new Set(keys);
  let entries = await store.getMulti<T>(requested);
  let pending = [...entries.values()].filter(isReference);
  if (pending.length > 0) {
    // First a short wait and another look at every key (see the file comment): most MCAS in flight
    // finish by themselves, and one that did may have written the other requested keys too.
    await patience();
    entries = await store.getMulti<T>(requested);
    pending = [...entries.values()].filter(isReference);
  }
  for (let round = 0; pending.length > 0; round++) {
    if (round >= MAX_HELP_ROUNDS) throw new McasContentionError(pending[0]!.key, round);
    const byDescriptor = new Map<string, Entry<unknown>[]>();
    for (const entry of pending) {
      const descriptorKey = descriptorOf(store, entry);
      const group = byDescriptor.get(descriptorKey);
      if (group === undefined) byDescriptor.set(descriptorKey, [entry]);
      else group.push(entry);
    }
    const results = new Map(
      await Promise.all([...byDescriptor].map(async ([descriptorKey, group]) => [descriptorKey, await help(store, descriptorKey, group[0]!.key)] as const)),
    );
    const reread = new Set(pending.map((entry) => entry.key));
    for (const result of results.values()) {
      if (result !== 'missing') for (const key of result.keys) if (requested.has(key)) reread.add(key);
    }
    const again = await store.getMulti<T>(reread);
    for (const [descriptorKey, group] of byDescriptor) {
      for (const before of group) checkProgress(store, before, again.get(before.key), descriptorKey, results.get(descriptorKey)!);
    }
    for (const key of reread) {
      const after = again.get(key);
      if (after === undefined) entries.delete(key);
      else entries.set(key, after);
    }
    pending = [...again.values()].filter(isReference);
  }
  return entries;
}
