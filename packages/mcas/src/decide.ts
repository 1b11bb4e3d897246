/**
 * Deciding an MCAS: one CAS on the descriptor from UNDECIDED (as created or
 * as read) to SUCCEEDED or FAILED. Whoever writes first decides; everyone
 * else finds the decision when their CAS loses and reads the descriptor. A
 * decision is never undone, so "the descriptor's status" is the truth about
 * an MCAS for everyone, the originator included.
 */
import { InvalidKeyError, RecordKind, type Entry, type Store } from '@mcc/codec';
import { descriptorRecord, parseDescriptor, withStatus, type Descriptor } from './descriptor';
import { isLostReply, rereading } from './io';
import { RecordError } from './record-error';
import { isDecided, McasStatus, type DecidedStatus } from './status';

export type DecideResult =
  /** `byUs`: our write made the decision (false: found it made, maybe by our own write whose reply was lost). */
  | { readonly status: DecidedStatus; readonly byUs: boolean }
  /** The descriptor is gone: its originator finished (and deleted it), or it was lost. */
  | 'missing';

/** Rounds of write-then-read; only lost replies make more than one round. */
const MAX_ROUNDS = 4;

/** Thrown when the rounds ran out without a decision being seen. */
export class DecideBudgetError extends Error {
  constructor(readonly descriptorKey: string) {
    super(`descriptor ${descriptorKey} could not be decided within ${MAX_ROUNDS} rounds`);
    this.name = 'DecideBudgetError';
  }
}

/** Reads and parses a descriptor; `null` when missing. @throws RecordError when it is not a valid descriptor */
export async function readDescriptor(store: Store, descriptorKey: string): Promise<{ entry: Entry<unknown>; descriptor: Descriptor } | null> {
  const entry = await store.get(descriptorKey);
  if (entry === null) return null;
  if (entry.kind !== RecordKind.McasDescriptor) throw new RecordError(`the descriptor key holds a record of kind ${entry.kind}`);
  const descriptor = parseDescriptor(entry.value);
  descriptor.items.forEach((item, index) => checkRecordKey(store, item.key, `descriptor item ${index}`));
  return { entry, descriptor };
}

/** A key read out of a record must be a valid memcached key: if not, the record is corrupt (never an InvalidKeyError to the reader). */
function checkRecordKey(store: Store, key: string, where: string): void {
  try {
    store.client.serverFor(key);
  } catch (error) {
    if ((error as { code?: unknown }).code === InvalidKeyError.code) throw new RecordError(`${where} has an invalid key: ${(error as Error).message}`);
    throw error;
  }
}

/**
 * Writes `outcome` on the descriptor if it is still undecided as `undecided`
 * (the entry read or created while UNDECIDED), else returns the decision found.
 *
 * A lost reply is resolved by reading the descriptor (re-reading through
 * lost replies); if it cannot be read, the read's error is thrown and the
 * caller decides what it means (the originator: outcome unknown).
 *
 * @throws RecordError when the descriptor read back is not valid
 * @throws DecideBudgetError in the (unreached in practice) case of endless lost replies
 */
export async function decide(store: Store, descriptorKey: string, undecided: Entry<unknown>, descriptor: Descriptor, outcome: DecidedStatus): Promise<DecideResult> {
  let condition = undecided;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    try {
      const record = descriptorRecord(withStatus(descriptor, outcome));
      const written = await store.cas(condition, record, { kind: RecordKind.McasDescriptor, ttl: descriptor.ttlSeconds });
      if (written !== null) return { status: outcome, byUs: true };
    } catch (error) {
      if (!isLostReply(error)) throw error;
    }
    const read = await rereading(() => readDescriptor(store, descriptorKey));
    if (read === null) return 'missing';
    const status = read.descriptor.status;
    if (isDecided(status)) return { status, byUs: false };
    // Still UNDECIDED: our write was not applied (a lost request); try again on what we read.
    condition = read.entry;
  }
  throw new DecideBudgetError(descriptorKey);
}

export { McasStatus };
