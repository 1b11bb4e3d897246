/**
 * Job ids: 96 random bits, base64url — unique without coordination. The one
 * generator of every id a job gets (push, pushMany, redrive).
 */
import { randomFillSync } from 'node:crypto';

const ID_BYTES = 12;
/** Random bytes drawn from the OS in blocks (one call per 256 ids, not one per id). */
const ID_POOL = Buffer.alloc(ID_BYTES * 256);
let idOffset = ID_POOL.length;

export function jobId(): string {
  if (idOffset === ID_POOL.length) {
    randomFillSync(ID_POOL);
    idOffset = 0;
  }
  idOffset += ID_BYTES;
  return ID_POOL.toString('base64url', idOffset - ID_BYTES, idOffset);
}
