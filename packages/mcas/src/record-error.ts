/**
 * Internal: a stored MCAS record does not have the documented shape. Callers
 * turn it into a McasCorruptionError naming the location that led to it.
 */
export class RecordError extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'RecordError';
  }
}

/** A CAS id read back from a record: msgpack hands out a number up to 2^53 and a bigint beyond. */
export function readCas(value: unknown, what: string): bigint {
  if (typeof value === 'bigint' && value > 0n) return value;
  if (typeof value === 'number' && Number.isSafeInteger(value) && value > 0) return BigInt(value);
  throw new RecordError(`${what} is not a positive integer CAS id`);
}

/** A record kind byte read back from a record. */
export function readKind(value: unknown, what: string): number {
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 0xff) return value;
  throw new RecordError(`${what} is not a record kind (0-255)`);
}

export function isPlainRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array);
}
