/**
 * `mcas`: the originator's side of Fraser's multi-word compare-and-set
 * (K. Fraser, "Practical lock-freedom", 2004, §3.3; Harris, Fraser & Pratt,
 * "A practical multi-word compare-and-swap operation", 2002), over memcached
 * items and their CAS ids.
 *
 * A location's states (kind = record kind in the item flags):
 *
 * ```
 *                 acquire: CAS(expected CAS -> reference)
 *   +-----------+ ------------------------------------> +----------------+
 *   | value     |                                       | reference      |
 *   | kind 0    | <------------------------------------ | kind 2         |
 *   +-----------+   release on FAILED: the old value    | {d: D, o: old} |
 *                   from the reference (a new CAS id)   +----------------+
 *                                                              |
 *                                  release on SUCCEEDED:       |
 *   +-----------+   the new value (a new CAS id)               |
 *   | new value | <--------------------------------------------+
 *   | kind 0    |
 *   +-----------+
 *
 * The descriptor D (kind 1), decided once, never undone:
 *
 *   add --> UNDECIDED --CAS--> SUCCEEDED | FAILED --> deleted by the originator after its release
 * ```
 *
 * Round trips, uncontended, M ≥ 2 entries (the Python original: 3M+4):
 *   1  add the descriptor (+ split-out values)            create.ts
 *   M  acquire the locations one by one, in key order     acquire.ts
 *   1  decide: CAS on the descriptor                      decide.ts
 *   1  release: all locations in one parallel batch       release.ts
 *   0  delete the descriptor quietly (not awaited)
 * = M+3. One entry: a plain `store.cas`, 1 round trip.
 *
 * What an outcome means to the caller:
 * - `true`: every entry now holds its new value (atomically: no reader
 *   through mcasGet saw some new and some old);
 * - `false`: some entry's CAS no longer matched; nothing changed;
 * - McasOutcomeUnknownError: the decision may or may not have been written
 *   (see its `descriptorKey` and `mcasOutcome`);
 * - McasCorruptionError: a record this MCAS needs was lost (evicted, expired);
 * - any other error: nothing changed (validation, descriptor creation, or an
 *   unreachable location that made the originator abort).
 */
import type { Entry, Store } from '@mcc/codec';
import { AcquireBudgetError, acquireLocation } from './acquire';
import { createDescriptor, type CreatedDescriptor } from './create';
import { decide, DecideBudgetError, type DecideResult } from './decide';
import { McasContentionError, McasCorruptionError, McasOutcomeUnknownError } from './errors';
import { isLostReply, isRefusedWrite } from './io';
import { mcasGet } from './mcas-get';
import { checkStore, resolveMcasOptions, type McasHooks, type McasOptions, type McasStep, type ResolvedMcasOptions } from './options';
import { planUpdates, type McasUpdate, type PlannedUpdate } from './plan';
import { RecordError } from './record-error';
import { releaseByReading, releaseKnown, type KnownLocation } from './release';
import { McasStatus, type DecidedStatus } from './status';
import { mcasChannel, traceMcas } from './tracing';

/** A hook's error, carried past the steps' own error handling untouched (a simulated crash cleans nothing up). */
class HookStop {
  constructor(readonly error: unknown) {}
}

async function step(hooks: McasHooks, current: McasStep): Promise<void> {
  if (hooks.afterStep === undefined) return;
  try {
    await hooks.afterStep(current);
  } catch (error) {
    throw new HookStop(error);
  }
}

/**
 * Atomically replaces the value of every entry with its new value if none of
 * them changed since it was read: `true`, or `false` (nothing changed).
 *
 * Read every entry with `mcasGet`/`mcasGetMulti` (a plain `store.get` may
 * return a reference of an MCAS in flight, which is refused here).
 *
 * @param updates `[entry, newValue]` pairs; keys unique; `newValue` not undefined
 * @throws InvalidArgumentError, InvalidKeyError, EncodeError, ValueTooLargeError before anything is written
 * @throws McasOutcomeUnknownError when the outcome could not be learned (see the file comment)
 * @throws McasCorruptionError when a record this MCAS needs was lost
 */
export async function mcas(store: Store, updates: readonly McasUpdate[], options?: McasOptions): Promise<boolean> {
  if (mcasChannel.hasSubscribers) return traceMcas(store, updates, (counted) => untracedMcas(counted, updates, options));
  return untracedMcas(store, updates, options);
}

async function untracedMcas(store: Store, updates: readonly McasUpdate[], options?: McasOptions): Promise<boolean> {
  checkStore(store, 'mcas');
  const resolved = resolveMcasOptions(options);
  const planned = await planUpdates(store, updates);
  if (planned.length === 0) return true;
  if (planned.length === 1) return singleCas(store, planned[0]!, resolved.onWritten);
  try {
    return await originate(store, planned, resolved);
  } catch (error) {
    if (error instanceof HookStop) throw error.error;
    throw error;
  }
}

/**
 * One entry: a plain CAS, 1 round trip. A lost reply leaves it open whether
 * the CAS applied, as a lost decision does for M ≥ 2: the same typed error
 * (without a descriptor: `descriptorKey` is ''; read the key to learn).
 */
async function singleCas(store: Store, only: PlannedUpdate, onWritten: Written): Promise<boolean> {
  try {
    const written = await store.cas(only.entry, only.newValue, { kind: only.kind });
    if (written !== null) onWritten?.(written);
    return written !== null;
  } catch (error) {
    if (!isLostReply(error)) throw error;
    throw new McasOutcomeUnknownError('', `the reply to the CAS of its single entry ${JSON.stringify(only.key)} was lost (one entry: a plain CAS, no descriptor; read the key to learn the outcome)`, { cause: error, key: only.key });
  }
}

/** The caller's `onWritten` option, if any. */
type Written = ((entry: Entry<unknown>) => void) | undefined;

async function originate(store: Store, planned: readonly PlannedUpdate[], options: ResolvedMcasOptions): Promise<boolean> {
  const { hooks, onWritten } = options;
  const created = await createDescriptor(store, planned, options.descriptorTtlSeconds);
  await step(hooks, 'descriptor-created');

  // Acquire in key order; stop at the first location that changed (the witness that makes FAILED safe).
  const acquired: KnownLocation[] = [];
  let failedAt: { index: number; foreign: string | null; uncertain: boolean } | null = null;
  try {
    for (const [index, update] of planned.entries()) {
      const result = await acquireLocation(store, created.descriptorKey, created.descriptor.items[index]!, update.entry, index === 0 && options.retrying);
      if (!result.acquired) {
        failedAt = { index, foreign: result.foreign, uncertain: result.uncertain };
        break;
      }
      acquired.push({ index, key: update.key, cas: result.cas, epoch: result.epoch, finalValue: update.newValue, finalKind: update.kind });
      await step(hooks, { acquired: index });
    }
  } catch (error) {
    if (error instanceof HookStop) throw error;
    return abort(store, created, planned, acquired, error);
  }

  if (failedAt !== null && acquired.length === 0 && !failedAt.uncertain) {
    // Failed on the first location with nothing acquired: no reference to the
    // descriptor exists, so nobody can know it and nobody will ever acquire
    // for it (everyone starts at that location, which has changed for good).
    // No decision needed: collect it and report the failure — 1 round trip
    // saved on the commonest failure under contention (and for a caller that
    // retries, a refused first CAS is not even looked at again: acquire.ts, `noneOurs`).
    // Not after a lost reply there (`uncertain`): our reference may have been
    // installed, met by a reader who completed the MCAS through it (SUCCEEDED)
    // and released, before we looked again — then only the descriptor knows,
    // and deciding below (our FAILED loses to the helper's decision) asks it.
    collect(store, created);
    if (failedAt.foreign !== null) await courtesyHelp(store, planned[failedAt.index]!.key);
    return false;
  }
  const outcome: DecidedStatus = failedAt === null ? McasStatus.Succeeded : McasStatus.Failed;
  const decided = settled(created, await decideOrUnknown(store, created, outcome));
  await step(hooks, 'decided');

  const complete = await release(store, created, planned, acquired, decided, outcome, hooks, onWritten);
  if (complete) collect(store, created);
  if (failedAt?.foreign) await courtesyHelp(store, planned[failedAt.index]!.key);
  return decided === McasStatus.Succeeded;
}

/** The decision, or the errors a caller must see when there is none. */
function settled(created: CreatedDescriptor, result: DecideResult): DecidedStatus {
  if (result === 'missing') {
    throw new McasCorruptionError(created.descriptor.items[0]!.key, created.descriptorKey, 'the descriptor disappeared before the MCAS was decided (evicted? run MCAS servers with -M)');
  }
  return result.status;
}

/** decide(), with lost contact turned into McasOutcomeUnknownError: only the descriptor can tell, and it cannot be read. */
async function decideOrUnknown(store: Store, created: CreatedDescriptor, outcome: DecidedStatus): Promise<DecideResult> {
  try {
    return await decide(store, created.descriptorKey, created.entry, created.descriptor, outcome);
  } catch (error) {
    if (isLostReply(error) || error instanceof DecideBudgetError) {
      throw new McasOutcomeUnknownError(created.descriptorKey, 'the decision was sent but neither its reply nor the descriptor could be read', { cause: error });
    }
    if (isRefusedWrite(error)) {
      // The descriptor stays UNDECIDED while references to it may exist: a
      // reader that helps it later may still decide it either way.
      throw new McasOutcomeUnknownError(created.descriptorKey, 'the server refused to write the decision (out of memory?); a later reader decides it', { cause: error });
    }
    if (error instanceof RecordError) throw new McasCorruptionError(created.descriptor.items[0]!.key, created.descriptorKey, `the descriptor is not valid: ${error.reason}`);
    throw error;
  }
}

/**
 * Releases after the decision; whether every location is known final. The
 * fast path writes with the CAS ids the acquisitions returned (1 round
 * trip): right whenever the decision is the one we meant (our own, or a
 * helper's that agrees — it then acquired nothing we did not, see
 * release.ts). Otherwise our knowledge is stale: release by reading.
 */
async function release(
  store: Store,
  created: CreatedDescriptor,
  planned: readonly PlannedUpdate[],
  acquired: readonly KnownLocation[],
  decided: DecidedStatus,
  outcome: DecidedStatus,
  hooks: McasHooks,
  onWritten: Written,
): Promise<boolean> {
  if (decided === outcome) {
    const succeeded = decided === McasStatus.Succeeded;
    const finals = succeeded ? acquired : acquired.map((location) => ({ ...location, finalValue: planned[location.index]!.entry.value }));
    return releaseKnown(store, created.descriptorKey, finals, (index) => step(hooks, { released: index }), succeeded ? onWritten : undefined);
  }
  try {
    await releaseByReading(store, created.descriptorKey, created.descriptor, decided);
    return true;
  } catch (error) {
    if (isLostReply(error) || isRefusedWrite(error)) return false; // readers finish it; the descriptor stays until its TTL
    throw error;
  }
}

/**
 * A location could not be read (or never settled): decide FAILED without a
 * witness, release what we hold, and report the error — nothing changed.
 * Without a witness a slow helper could still acquire a later location, so
 * the descriptor is left to expire instead of being deleted: whoever meets
 * such a late reference finds the FAILED descriptor and rolls it back.
 */
async function abort(store: Store, created: CreatedDescriptor, planned: readonly PlannedUpdate[], acquired: readonly KnownLocation[], cause: unknown): Promise<boolean> {
  const decided = settled(created, await decideOrUnknown(store, created, McasStatus.Failed));
  try {
    if (decided === McasStatus.Failed) {
      await releaseKnown(store, created.descriptorKey, acquired.map((location) => ({ ...location, finalValue: planned[location.index]!.entry.value })), async () => undefined);
    } else {
      await releaseByReading(store, created.descriptorKey, created.descriptor, decided);
    }
  } catch (error) {
    if (!isLostReply(error) && !isRefusedWrite(error)) throw error; // decided: readers finish the release
  }
  if (decided === McasStatus.Succeeded) return true; // helpers completed it meanwhile
  if (cause instanceof AcquireBudgetError) throw new McasContentionError(cause.key, cause.attempts);
  throw cause;
}

/** Deletes the descriptor and its split-out values quietly: no round trip of its own, nothing awaited. */
function collect(store: Store, created: CreatedDescriptor): void {
  for (const key of [created.descriptorKey, ...created.splitKeys]) void store.deleteQuiet(key).catch(() => undefined);
}

/**
 * Our MCAS failed on another one in flight: see that it finishes, so the
 * caller's retry reads settled values. Through mcasGet, which helps only a
 * reference still there when it looks a second time (mcas-get.ts): the other MCAS's
 * originator is usually about to release it, and helping a live originator
 * costs several round trips and races its writes. Its errors are not ours to
 * report: the reader that needs that location will meet them.
 */
async function courtesyHelp(store: Store, location: string): Promise<void> {
  try {
    await mcasGet(store, location);
  } catch {
    // see above
  }
}
