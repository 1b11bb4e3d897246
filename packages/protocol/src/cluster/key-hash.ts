/**
 * Hash primitives of the consistent-hash ring (see `hash-ring.ts` for the
 * algorithm as a whole). Kept apart so the ring reads as placement logic only.
 */

import * as crypto from 'node:crypto';

/**
 * MD5 of a string's UTF-8 bytes.
 *
 * `crypto.hash` (Node ≥ 20.12) is a one-shot call and measurably faster than
 * `createHash().update().digest()` (no Hash object per call); this runs on
 * every request, so use it when present and fall back for older Node 20.
 */
const md5: (text: string) => Buffer =
  typeof crypto.hash === 'function'
    ? (text) => crypto.hash('md5', text, 'buffer')
    : (text) => crypto.createHash('md5').update(text, 'utf8').digest();

/**
 * The part of `key` that is hashed.
 *
 * A hash tag, as in Redis Cluster, lets related keys share a server: if the key
 * contains `{`, and a `}` follows the first `{`, and the text between them is
 * non-empty, only that text is hashed. Otherwise the whole key is hashed.
 * `{user42}:a`, `x{user42}` and `user42` all hash `user42`; `{}x` and `{a`
 * hash the whole key.
 */
export function hashPart(key: string): string {
  const open = key.indexOf('{');
  if (open === -1) return key;
  const close = key.indexOf('}', open + 1);
  // An empty tag would send every `{}…` key to one server; treat it as no tag.
  if (close === -1 || close === open + 1) return key;
  return key.slice(open + 1, close);
}

/** A key's position on the ring: the little-endian uint32 of the first 4 bytes of md5(hashPart(key)). */
export function keyHash(key: string): number {
  return md5(hashPart(key)).readUInt32LE(0);
}

/**
 * The 4 ring points of one md5 digest of `${serverKey}-${index}`: the
 * little-endian uint32s of bytes 0–3, 4–7, 8–11 and 12–15, in that order.
 */
export function serverPoints(serverKey: string, index: number): [number, number, number, number] {
  const digest = md5(`${serverKey}-${index}`);
  return [digest.readUInt32LE(0), digest.readUInt32LE(4), digest.readUInt32LE(8), digest.readUInt32LE(12)];
}
