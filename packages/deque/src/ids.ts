import { randomBytes } from 'node:crypto';

/** A random id (96 bits, base64url): value keys, generated deque names. */
export function randomId(): string {
  return randomBytes(12).toString('base64url');
}

/**
 * Batch ids only need to differ from the others in an anchor's short
 * window of recent ids: 48 random bits per process plus a counter are
 * unique enough, and short (the window travels with every CAS).
 */
const PROCESS_PREFIX = randomBytes(6).toString('base64url');
let counter = 0;

export function batchId(): string {
  counter = (counter + 1) % Number.MAX_SAFE_INTEGER;
  return PROCESS_PREFIX + counter.toString(36);
}
