/**
 * Consistent hashing of keys onto servers (ketama).
 *
 * The placement is deterministic and specified here so that a client in any
 * language computes the same owner for a key:
 *
 * 1. Ring points. For each server, with `serverKey` its `host:port` identity
 *    (`[::1]:11211` for IPv6) and `weight` its integer weight, for
 *    `i = 0 … pointsPerServer * weight / 4 - 1` (default `pointsPerServer` 160,
 *    so 40 digests and 160 points per unit of weight), compute
 *    `d = md5(UTF-8 of serverKey + "-" + i)` (`i` in decimal, e.g.
 *    `10.0.0.1:11211-0`). Each 16-byte digest gives 4 points: the
 *    little-endian uint32s of bytes `d[4h … 4h+3]` for `h = 0 … 3`.
 * 2. Sort all points ascending as unsigned 32-bit integers. Equal points are
 *    ordered by server key (ordinal, i.e. byte-wise comparison), so the first
 *    of them, which wins lookups, is the same everywhere.
 * 3. A key's hash. Take the hashed part of the key: for a hash tag
 *    `…{tag}…` (first `{`, then the first `}` after it, `tag` non-empty) only
 *    `tag`, otherwise the whole key. Its hash is the little-endian uint32 of
 *    the first 4 bytes of `md5(UTF-8 of that part)`.
 * 4. The owner is the server of the first point `>= hash`; past the last
 *    point, wrap to the first. With a single server, every key is its own and
 *    nothing is hashed.
 *
 * This is classic libketama (same point hashes, key hash and lookup), except
 * that a weight buys a fixed `weight × pointsPerServer / 4` digests instead of
 * libketama's floating-point share of the total, and ties are ordered
 * explicitly. Adding or removing a server moves only the keys on the arcs it
 * gains or loses (about 1/n of them).
 *
 * A key maps to exactly one server. There is deliberately no fallback or
 * remapping when a server is down: moving its keys to another server would
 * split a data structure between two owners (and let two clients disagree on
 * where it lives), which breaks the lock-free algorithms built on top. A
 * request for a down server fails instead.
 */

import { InvalidArgumentError } from '../errors';
import { hashPart, keyHash, serverPoints } from './key-hash';
import type { ServerAddress } from './server-address';

/** Points per unit of weight, as in libketama (40 md5 digests × 4 points). */
const DEFAULT_POINTS_PER_SERVER = 160;

/**
 * Bound on the ring size (64 MiB of points and owners): a huge weight or
 * `pointsPerServer` is a configuration mistake, not a request for gigabytes.
 */
const MAX_POINTS = 1 << 23;

/** Options of {@link HashRing}. */
export interface HashRingOptions {
  /**
   * Ring points per unit of weight: a positive multiple of 4 (one md5 digest
   * gives 4 points). More points spread keys more evenly at the cost of a
   * larger ring. Every client of a cluster must use the same value.
   * @defaultValue 160
   */
  pointsPerServer?: number;
}

/** Maps keys to the server that owns them by consistent hashing (see the module doc). */
export class HashRing {
  /** Keys (`host:port`) of the servers, in the order given. */
  readonly servers: readonly string[];
  /** Sorted ring points. */
  private readonly points: Uint32Array;
  /** `owners[j]` is the index into {@link servers} of the server of `points[j]`. */
  private readonly owners: Uint32Array;

  /**
   * @param servers the servers of the cluster, e.g. from `parseServerList`.
   * @throws InvalidArgumentError when `servers` is empty, has two servers with
   *   the same key, a weight that is not a positive integer, or an invalid
   *   `pointsPerServer`.
   */
  constructor(servers: readonly ServerAddress[], options?: HashRingOptions) {
    const pointsPerServer = options?.pointsPerServer ?? DEFAULT_POINTS_PER_SERVER;
    if (!Number.isSafeInteger(pointsPerServer) || pointsPerServer < 4 || pointsPerServer % 4 !== 0) {
      throw new InvalidArgumentError(`pointsPerServer must be a positive multiple of 4, got ${String(pointsPerServer)}`);
    }
    if (servers.length === 0) throw new InvalidArgumentError('a hash ring needs at least one server');

    const keys: string[] = [];
    let totalPoints = 0;
    for (const server of servers) {
      if (!Number.isSafeInteger(server.weight) || server.weight < 1) {
        throw new InvalidArgumentError(`server ${server.key} has weight ${String(server.weight)}: it must be a positive integer`, { server: server.key });
      }
      if (keys.includes(server.key)) {
        throw new InvalidArgumentError(`server ${server.key} appears twice in the server list`, { server: server.key });
      }
      keys.push(server.key);
      totalPoints += pointsPerServer * server.weight;
    }
    if (totalPoints > MAX_POINTS) {
      throw new InvalidArgumentError(`the ring would have ${totalPoints} points (more than ${MAX_POINTS}): lower the weights or pointsPerServer`);
    }
    this.servers = Object.freeze(keys);

    // One server owns every key: serverFor never looks at the ring.
    if (servers.length === 1) {
      this.points = new Uint32Array(0);
      this.owners = new Uint32Array(0);
      return;
    }

    const unsortedPoints = new Uint32Array(totalPoints);
    const unsortedOwners = new Uint32Array(totalPoints);
    let next = 0;
    servers.forEach((server, owner) => {
      const digests = (pointsPerServer * server.weight) / 4;
      for (let index = 0; index < digests; index++) {
        for (const point of serverPoints(server.key, index)) {
          unsortedPoints[next] = point;
          unsortedOwners[next] = owner;
          next++;
        }
      }
    });

    const order = Array.from({ length: totalPoints }, (_, position) => position);
    order.sort((left, right) => {
      const byPoint = (unsortedPoints[left] as number) - (unsortedPoints[right] as number);
      if (byPoint !== 0) return byPoint;
      return compareOrdinal(keys[unsortedOwners[left] as number] as string, keys[unsortedOwners[right] as number] as string);
    });
    this.points = new Uint32Array(totalPoints);
    this.owners = new Uint32Array(totalPoints);
    order.forEach((from, to) => {
      this.points[to] = unsortedPoints[from] as number;
      this.owners[to] = unsortedOwners[from] as number;
    });
  }

  /** Key (`host:port`) of the server that owns `key`. */
  serverFor(key: string): string {
    if (this.servers.length === 1) return this.servers[0] as string;

    const hash = keyHash(key);
    const points = this.points;
    // Binary search for the first point >= hash; `low === length` means past the end.
    let low = 0;
    let high = points.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if ((points[middle] as number) < hash) low = middle + 1;
      else high = middle;
    }
    const owner = this.owners[low === points.length ? 0 : low] as number;
    return this.servers[owner] as string;
  }

  /**
   * The part of `key` that is hashed: for a hash tag `{tag}rest` only `tag`
   * (first `{`, then the first `}` after it, `tag` non-empty, like Redis
   * Cluster); otherwise the whole key. Keys with the same tag share a server.
   */
  static hashPart(key: string): string {
    return hashPart(key);
  }
}

/** Code-unit order, which is byte order for the ASCII server keys `parseServerAddress` produces. */
function compareOrdinal(left: string, right: string): number {
  if (left === right) return 0;
  return left < right ? -1 : 1;
}
