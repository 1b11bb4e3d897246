/**
 * Key scheme and key order of MCAS records (docs/FORMAT.md, "MCAS records").
 *
 *   descriptor      mcc:mcas:<22 characters of base64url: 128 random bits>
 *   split-out value <descriptor key>:v<index of the item in the descriptor>
 *
 * Descriptor keys are random rather than counted so that independent clients
 * (in any language) never collide without coordinating; 128 bits make a
 * collision practically impossible, and `add` refuses one anyway.
 */
import { randomFillSync } from 'node:crypto';

/** Prefix of every descriptor key. */
export const DESCRIPTOR_KEY_PREFIX = 'mcc:mcas:';

/** Random bytes in a descriptor id (22 base64url characters). */
const DESCRIPTOR_ID_BYTES = 16;

const DESCRIPTOR_KEY = /^mcc:mcas:[A-Za-z0-9_-]{22}$/;
const SPLIT_VALUE_KEY = /^(mcc:mcas:[A-Za-z0-9_-]{22}):v(0|[1-9][0-9]*)$/;

/**
 * Random bytes are drawn from the OS in blocks: one `randomFillSync` per 256
 * keys instead of one per key (it showed in CPU profiles of contended MCAS).
 */
const POOL = Buffer.alloc(DESCRIPTOR_ID_BYTES * 256);
let poolOffset = POOL.length;

/** A fresh descriptor key. */
export function newDescriptorKey(): string {
  if (poolOffset === POOL.length) {
    randomFillSync(POOL);
    poolOffset = 0;
  }
  const id = POOL.toString('base64url', poolOffset, poolOffset + DESCRIPTOR_ID_BYTES);
  poolOffset += DESCRIPTOR_ID_BYTES;
  return DESCRIPTOR_KEY_PREFIX + id;
}

/** True for a key of the descriptor form (not for split-out values). */
export function isDescriptorKey(key: string): boolean {
  return DESCRIPTOR_KEY.test(key);
}

/** Key of the split-out new value of item `index` of a descriptor. */
export function splitValueKey(descriptorKey: string, index: number): string {
  return `${descriptorKey}:v${index}`;
}

/** The descriptor key and item index of a split-out value key, or null. */
export function parseSplitValueKey(key: string): { descriptorKey: string; index: number } | null {
  const match = SPLIT_VALUE_KEY.exec(key);
  if (match === null) return null;
  return { descriptorKey: match[1]!, index: Number(match[2]) };
}

/**
 * Orders keys by their UTF-8 bytes: the one global order every client, in
 * every language, acquires locations in. JavaScript's `<` compares UTF-16
 * code units, which disagrees with UTF-8 byte order for characters above
 * U+FFFF against U+E000-U+FFFF, and a client acquiring in a different order
 * than another could form a cycle of helpers.
 */
export function compareKeys(a: string, b: string): number {
  if (a === b) return 0;
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}
