/**
 * A tiny seeded generator of values of the mcc type mapping, for property
 * tests (no dependency: mulberry32). Boundary values (integer widths,
 * string and container header sizes, Date extremes) are drawn often.
 */

import { seededRandom } from '@mcc/harness';

export { seededRandom };

export interface RandomValueOptions {
  /** Only what JSON represents exactly: no bigint, Date, binary, NaN/Infinity. */
  jsonOnly?: boolean;
  /** Deepest container nesting. Default 4. */
  maxDepth?: number;
  /** Allow strings and binaries that cross the 16-bit size boundary (slower). Default false. */
  large?: boolean;
}

const INTEGER_BOUNDARIES = [
  0, 1, 31, 32, 127, 128, 255, 256, 65535, 65536, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1, 2 ** 32, 2 ** 53 - 1, 2 ** 53,
  -1, -31, -32, -33, -127, -128, -129, -32768, -32769, -(2 ** 31), -(2 ** 31) - 1, -(2 ** 53) + 1, -(2 ** 53),
];
const BIGINT_BOUNDARIES = [
  2n ** 53n + 1n, -(2n ** 53n) - 1n, 2n ** 63n - 1n, -(2n ** 63n), 2n ** 63n, 2n ** 64n - 1n, 0n, 1n, -1n, 2n ** 40n,
];
const FLOATS = [0.5, -0.5, 1.1, 3.141592653589793, 1e-300, 1e300, -1e300, Number.MIN_VALUE, Number.MAX_VALUE, 2 ** 53 + 2, 1e20, -1e20];
const SPECIAL_FLOATS = [NaN, Infinity, -Infinity, -0];
const SPECIAL_KEYS = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', '', 'a b', 'ключ', '🔑', '0', 'length'];
const STRING_LENGTH_BOUNDARIES = [0, 1, 31, 32, 255, 256];
/** Code point ranges to draw characters from (no surrogates). */
const CODE_POINT_RANGES: readonly (readonly [number, number])[] = [
  [0x20, 0x7e], [0x00, 0x1f], [0xa0, 0x2ff], [0x400, 0x4ff], [0x4e00, 0x9fff], [0xe000, 0xfffd], [0x1f300, 0x1faff], [0x10000, 0x10ffff],
];
const DATE_BOUNDARIES = [0, 1, 999, 1000, 1500, -1, -1500, 2 ** 32 * 1000, 2 ** 32 * 1000 + 1, 2 ** 34 * 1000, 8.64e15, -8.64e15];

export class RandomValues {
  readonly #random: () => number;
  readonly #options: Required<RandomValueOptions>;

  constructor(seed: number, options: RandomValueOptions = {}) {
    this.#random = seededRandom(seed);
    this.#options = { jsonOnly: false, maxDepth: 4, large: false, ...options };
  }

  /** Integer in [0, bound). */
  below(bound: number): number {
    return Math.floor(this.#random() * bound);
  }

  pick<T>(items: readonly T[]): T {
    return items[this.below(items.length)]!;
  }

  chance(probability: number): boolean {
    return this.#random() < probability;
  }

  value(depth = 0): unknown {
    const leafKinds = this.#options.jsonOnly
      ? ['null', 'boolean', 'integer', 'float', 'string']
      : ['null', 'boolean', 'integer', 'float', 'string', 'bigint', 'binary', 'date'];
    const kinds = depth < this.#options.maxDepth ? [...leafKinds, 'array', 'object', 'array', 'object'] : leafKinds;
    switch (this.pick(kinds)) {
      case 'null': return null;
      case 'boolean': return this.chance(0.5);
      case 'integer': return this.integer();
      case 'float': return this.float();
      case 'string': return this.string();
      case 'bigint': return this.bigint();
      case 'binary': return this.binary();
      case 'date': return this.date();
      case 'array': return this.array(depth);
      default: return this.object(depth);
    }
  }

  integer(): number {
    if (this.chance(0.5)) return this.pick(INTEGER_BOUNDARIES);
    const magnitude = 2 ** this.below(54);
    const value = Math.floor(this.#random() * magnitude);
    return this.chance(0.5) ? -value : value;
  }

  float(): number {
    if (!this.#options.jsonOnly && this.chance(0.1)) return this.pick(SPECIAL_FLOATS);
    if (this.chance(0.3)) return this.pick(FLOATS);
    const value = (this.#random() - 0.5) * 10 ** (this.below(40) - 20);
    return Number.isInteger(value) ? value + 0.5 : value;
  }

  bigint(): bigint {
    if (this.chance(0.5)) return this.pick(BIGINT_BOUNDARIES);
    const high = BigInt(this.below(2 ** 31));
    const low = BigInt(this.below(2 ** 32));
    const value = (high << 32n) | low;
    return this.chance(0.3) ? value + 2n ** 63n : this.chance(0.5) ? -value : value;
  }

  string(length = this.#length(STRING_LENGTH_BOUNDARIES, 40, this.#options.large)): string {
    const range = this.pick(CODE_POINT_RANGES);
    let text = '';
    while (text.length < length) {
      const [low, high] = this.chance(0.7) ? range : this.pick(CODE_POINT_RANGES);
      text += String.fromCodePoint(low + this.below(high - low + 1));
    }
    return text;
  }

  binary(): Buffer | Uint8Array {
    const length = this.#length([0, 1, 255, 256], 64, this.#options.large);
    const bytes = new Uint8Array(length);
    for (let index = 0; index < length; index++) bytes[index] = this.below(256);
    return this.chance(0.5) ? Buffer.from(bytes) : bytes;
  }

  date(): Date {
    if (this.chance(0.4)) return new Date(this.pick(DATE_BOUNDARIES));
    return new Date(Math.round((this.#random() - 0.3) * 4e12));
  }

  array(depth: number): unknown[] {
    const length = this.#length([0, 15, 16], 8, false);
    return Array.from({ length }, () => this.value(depth + 1));
  }

  object(depth: number): Record<string, unknown> {
    const size = this.#length([0, 15, 16], 6, false);
    const object: Record<string, unknown> = {};
    for (let index = 0; index < size; index++) {
      const key = this.chance(0.15) ? this.pick(SPECIAL_KEYS) : this.string(this.below(12));
      // An own property even for "__proto__" (as JSON.parse makes it).
      Object.defineProperty(object, key, { value: this.value(depth + 1), writable: true, enumerable: true, configurable: true });
    }
    return object;
  }

  #length(boundaries: readonly number[], typical: number, large: boolean): number {
    if (large && this.chance(0.01)) return this.pick([65535, 65536, 70000]);
    return this.chance(0.2) ? this.pick(boundaries) : this.below(typical);
  }
}

/**
 * What msgpackCodec.decode(msgpackCodec.encode(value)) must return: the
 * type mapping of docs/FORMAT.md §5 applied to `value`.
 */
export function msgpackRoundTrip(value: unknown): unknown {
  if (typeof value === 'bigint') return value >= -(2n ** 53n) && value <= 2n ** 53n ? Number(value) : value;
  if (Object.is(value, -0)) return 0;
  if (value instanceof Uint8Array) return Buffer.from(value);
  if (Array.isArray(value)) return value.map(msgpackRoundTrip);
  if (value !== null && typeof value === 'object' && !(value instanceof Date)) {
    const object: Record<string, unknown> = {};
    for (const key of Object.keys(value)) {
      Object.defineProperty(object, key, {
        value: msgpackRoundTrip((value as Record<string, unknown>)[key]), writable: true, enumerable: true, configurable: true,
      });
    }
    return object;
  }
  return value;
}
