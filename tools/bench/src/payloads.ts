/**
 * Benchmark values and keys.
 *
 * Values are pseudo-random bytes from a fixed seed: incompressible (nothing
 * on the path may win by compressing a run of zeros), yet identical from run
 * to run so results stay comparable.
 */

/** The value sizes of the protocol suite: small, typical, and past one 64 KiB socket read. */
export const VALUE_SIZES = [100, 1024, 100 * 1024] as const;

/** `size` deterministic pseudo-random bytes (xorshift32 from `seed`). */
export function payload(size: number, seed = 0x9e3779b9): Buffer {
  if (!Number.isInteger(size) || size < 0) throw new RangeError(`payload size must be a non-negative integer, got ${size}`);
  const bytes = Buffer.allocUnsafe(size);
  let state = seed >>> 0 || 1; // xorshift never leaves 0
  for (let index = 0; index < size; index++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    bytes[index] = state & 0xff;
  }
  return bytes;
}

/** `count` distinct keys for one benchmark cell, e.g. `bench:get:1024:0` … */
export function keySet(prefix: string, count: number): string[] {
  return Array.from({ length: count }, (_, index) => `${prefix}:${index}`);
}

/** A human size: 100 B, 1 KiB, 100 KiB. */
export function formatSize(bytes: number): string {
  if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) === 0) return `${bytes / (1024 * 1024)} MiB`;
  if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes / 1024} KiB`;
  return `${bytes} B`;
}
