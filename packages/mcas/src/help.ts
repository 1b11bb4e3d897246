/**
 * Helping: driving someone else's MCAS to completion, from nothing but its
 * descriptor. Whoever meets a reference (mcasGet, mcasGetMulti, an
 * originator that failed on it) calls this, so an MCAS whose originator is
 * slow or dead never blocks anyone: that is what makes MCAS lock-free.
 *
 *   1. read the descriptor            missing → "missing" (the caller checks the location)
 *   2. if UNDECIDED: read all locations (one getMulti), then acquire them in
 *      key order exactly like the originator (acquire.ts), the old value in
 *      each reference being the value just read; decide SUCCEEDED if all
 *      were acquired, FAILED at the first that changed (decide.ts)
 *   3. release by reading (release.ts): final value where the reference still is
 *
 * Helpers never delete a descriptor: only the originator does, after its
 * release, so an originator can always learn its outcome. Descriptors of
 * dead originators expire with their TTL.
 */
import type { Store } from '@mcc/codec';
import { AcquireBudgetError, acquireLocation } from './acquire';
import { decide, readDescriptor } from './decide';
import { publishHelp } from './diagnostics';
import { McasContentionError, McasCorruptionError } from './errors';
import { checkStore } from './options';
import { RecordError } from './record-error';
import { releaseByReading } from './release';
import { countHelp } from './tracing';
import { McasStatus, type DecidedStatus } from './status';

/** What helping found: the MCAS's decision and its locations, or that its descriptor is gone. */
export type HelpResult = { readonly status: DecidedStatus; readonly keys: readonly string[] } | 'missing';

/**
 * Completes the MCAS of `descriptorKey` (decided and released) and returns
 * its status and location keys, or `'missing'` when the descriptor does not exist.
 *
 * @param origin the location that led here, named in errors (the descriptor
 *   must list it); the descriptor key itself when no location led here
 * @throws McasCorruptionError when the descriptor (or a split-out value it needs) is invalid or missing for good
 * @throws McasContentionError in the (unreached in practice) case of a location that never settles
 * @throws the store's errors (connection, timeout) unchanged: helping is idempotent, a later reader resumes it
 */
export async function help(store: Store, descriptorKey: string, origin: string): Promise<HelpResult> {
  const result = await helpOnce(store, descriptorKey, origin);
  countHelp(store);
  publishHelp({ descriptorKey, origin, result: result === 'missing' ? 'missing' : result.status === McasStatus.Succeeded ? 'succeeded' : 'failed' });
  return result;
}

async function helpOnce(store: Store, descriptorKey: string, origin: string): Promise<HelpResult> {
  try {
    const read = await readDescriptor(store, descriptorKey);
    if (read === null) return 'missing';
    const { entry, descriptor } = read;
    // A reference leads only to a descriptor that lists its location: a helper
    // never writes keys that a stray or crafted reference points it at.
    if (origin !== descriptorKey && !descriptor.items.some((item) => item.key === origin)) {
      throw new RecordError(`it does not list the location ${JSON.stringify(origin.length > 60 ? origin.slice(0, 60) + '…' : origin)} that references it`);
    }
    let status = descriptor.status;
    if (status === McasStatus.Undecided) {
      const snapshot = await store.getMulti(descriptor.items.map((item) => item.key));
      let outcome: DecidedStatus = McasStatus.Succeeded;
      for (const item of descriptor.items) {
        const result = await acquireLocation(store, descriptorKey, item, snapshot.get(item.key) ?? null);
        if (!result.acquired) {
          outcome = McasStatus.Failed;
          break;
        }
      }
      const decided = await decide(store, descriptorKey, entry, descriptor, outcome);
      if (decided === 'missing') return 'missing';
      status = decided.status;
    }
    await releaseByReading(store, descriptorKey, descriptor, status);
    return { status, keys: descriptor.items.map((item) => item.key) };
  } catch (error) {
    if (error instanceof RecordError) {
      throw new McasCorruptionError(origin, descriptorKey, `the descriptor is not valid: ${error.reason}`, { cause: error });
    }
    if (error instanceof AcquireBudgetError) throw new McasContentionError(error.key, error.attempts);
    throw error;
  }
}

/**
 * The outcome of the MCAS of `descriptorKey`, completing it first if needed:
 * `true` (all entries changed), `false` (none did), or `null` when the
 * descriptor no longer exists (its originator finished and deleted it, it
 * expired, or it was never written). Use it after McasOutcomeUnknownError.
 */
export async function mcasOutcome(store: Store, descriptorKey: string): Promise<boolean | null> {
  checkStore(store, 'mcasOutcome');
  const result = await help(store, descriptorKey, descriptorKey);
  return result === 'missing' ? null : result.status === McasStatus.Succeeded;
}
