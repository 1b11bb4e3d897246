/**
 * Random ids (job ids, claim batch ids): unique without coordination.
 * Random bytes are drawn from the OS in blocks, not one call per id.
 */
import { randomFillSync } from 'node:crypto';

const POOL = Buffer.alloc(3072);
let offset = POOL.length;

/** `bytes` random bytes (at most 64), base64url. */
export function randomId(bytes: number): string {
  if (offset + bytes > POOL.length) {
    randomFillSync(POOL);
    offset = 0;
  }
  offset += bytes;
  return POOL.toString('base64url', offset - bytes, offset);
}
