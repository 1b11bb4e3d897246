import { randomBytes } from 'node:crypto';

/** A short random id (96 bits, base64url): batch ids, value keys, generated deque names. */
export function randomId(): string {
  return randomBytes(12).toString('base64url');
}
