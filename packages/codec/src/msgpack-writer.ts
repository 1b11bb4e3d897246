/**
 * The msgpack codec's fast encoder: one recursive pass that checks a value
 * against the mcc type mapping and writes its MessagePack bytes at the same
 * time, with no per-node allocation (no paths, no copies, no closures).
 *
 * It handles the common case only — plain objects and arrays of this realm,
 * Buffer/Uint8Array, Date, strings, numbers, bigints, booleans and null —
 * and gives up ({@link writeMsgpack} returns `null`) on anything else:
 * something the format refuses (it never says why), a value of another
 * realm, a cycle (noticed as nesting beyond MAX_DEPTH), a throwing getter.
 * The codec then takes the reference path (prepare-value.ts, then msgpackr),
 * which either encodes the value or names the offending part with its path.
 * A value this writer accepts gets exactly the bytes of the reference path
 * (msgpack-codec.test.ts checks the two against each other).
 *
 * Output: like msgpackr, the bytes are written into a slab and handed out as
 * a view; a region that was handed out is never written again.
 */
import { MAX_DEPTH } from './prepare-value';

/** Smallest slab; a slab that had to grow keeps its size for the next ones, up to {@link MAX_STICKY_SLAB}. */
const MIN_SLAB = 8192;
const MAX_STICKY_SLAB = 1 << 20;
/** A new encoding starts on a fresh slab when less than this is left. */
const MIN_FREE = 512;
/** Room every value may use without asking: the largest fixed-size item (timestamp 96) is 15 bytes. */
const SLACK = 16;
/** Strings up to this many UTF-16 units are encoded by hand (a native call costs more for short ones). */
const SHORT_STRING = 64;
/** Binaries up to this many bytes are copied by hand. */
const SHORT_BINARY = 16;

const TWO_32 = 0x1_0000_0000;
const SAFE_LIMIT = 2 ** 53;
const INT32_MIN = -(2 ** 31);
const UINT32_END = 2 ** 32;
const INT64_MIN = -(2n ** 63n);
const INT64_END = 2n ** 63n;
const UINT64_END = 2n ** 64n;

const OBJECT_PROTO = Object.prototype;
const ARRAY_PROTO = Array.prototype;
const BUFFER_PROTO = Buffer.prototype;
const UINT8_PROTO = Uint8Array.prototype;
const DATE_PROTO = Date.prototype;
const getPrototypeOf = Object.getPrototypeOf;
const getOwnPropertySymbols = Object.getOwnPropertySymbols;
const objectKeys = Object.keys;
const isArray = Array.isArray;
const getTime = Date.prototype.getTime;
/** String.prototype.isWellFormed (Node 20; not yet in the ES2022 lib typings). */
const isWellFormed = (String.prototype as unknown as { isWellFormed(this: string): boolean }).isWellFormed;

/** Thrown inside the writer to give up; never escapes {@link writeMsgpack}. */
const GIVE_UP: unique symbol = Symbol('give up');

let slab = Buffer.allocUnsafeSlow(MIN_SLAB);
let view = new DataView(slab.buffer, slab.byteOffset, slab.byteLength);
let nextSlabSize = MIN_SLAB;
/** Start of the encoding in progress, and the next byte to write. */
let start = 0;
let position = 0;
/** `slab.length - SLACK`: below it, a fixed-size item fits. */
let safeEnd = slab.length - SLACK;
/** Set while an encoding is in progress: a getter that encodes (re-entrancy) gets the reference path. */
let busy = false;

function newSlab(size: number): void {
  slab = Buffer.allocUnsafeSlow(size);
  view = new DataView(slab.buffer, slab.byteOffset, slab.byteLength);
  safeEnd = size - SLACK;
}

/** Makes room for `bytes` more bytes (plus the slack), moving the encoding so far to a bigger slab. */
function grow(bytes: number): void {
  const used = position - start;
  const needed = used + bytes + SLACK;
  if (needed > 0xffff_ffff) throw GIVE_UP; // let msgpackr report it
  const size = Math.ceil(Math.max(needed * 2, nextSlabSize) / 4096) * 4096;
  const old = slab;
  const oldStart = start;
  newSlab(size);
  old.copy(slab, 0, oldStart, position);
  start = 0;
  position = used;
  nextSlabSize = Math.min(size, MAX_STICKY_SLAB);
}

/**
 * The MessagePack encoding of `value` under the mcc type mapping, or `null`
 * when the writer gives up (see the file comment): then nothing was handed
 * out and the caller must take the reference path.
 */
export function writeMsgpack(value: unknown): Buffer | null {
  if (busy) return null;
  busy = true;
  if (slab.length - position < MIN_FREE) {
    newSlab(nextSlabSize);
    position = 0;
  }
  start = position;
  try {
    writeValue(value, 0);
  } catch {
    // GIVE_UP, or whatever a getter or proxy threw: the reference path reads the value again and reports it.
    position = start;
    return null;
  } finally {
    busy = false;
  }
  const bytes = slab.subarray(start, position);
  start = position;
  return bytes;
}

function writeValue(value: unknown, depth: number): void {
  if (position > safeEnd) grow(SLACK);
  switch (typeof value) {
    case 'string':
      writeString(value);
      return;
    case 'number':
      writeNumber(value);
      return;
    case 'boolean':
      slab[position++] = value ? 0xc3 : 0xc2;
      return;
    case 'object':
      if (value === null) {
        slab[position++] = 0xc0;
        return;
      }
      writeObject(value, depth);
      return;
    case 'bigint':
      writeBigInt(value);
      return;
    default:
      throw GIVE_UP; // undefined, function, symbol
  }
}

function writeNumber(value: number): void {
  if (value >>> 0 === value) {
    // 0 … 2^32-1 (and -0, written as 0)
    if (value < 0x80) {
      slab[position++] = value;
    } else if (value < 0x100) {
      slab[position++] = 0xcc;
      slab[position++] = value;
    } else if (value < 0x10000) {
      slab[position++] = 0xcd;
      slab[position++] = value >>> 8;
      slab[position++] = value & 0xff;
    } else {
      slab[position++] = 0xce;
      view.setUint32(position, value);
      position += 4;
    }
  } else if ((value | 0) === value) {
    // -2^31 … -1
    if (value >= -0x20) {
      slab[position++] = value & 0xff;
    } else if (value >= -0x80) {
      slab[position++] = 0xd0;
      slab[position++] = value & 0xff;
    } else if (value >= -0x8000) {
      slab[position++] = 0xd1;
      view.setInt16(position, value);
      position += 2;
    } else {
      slab[position++] = 0xd2;
      view.setInt32(position, value);
      position += 4;
    }
  } else if (Number.isInteger(value) && value >= -SAFE_LIMIT && value <= SAFE_LIMIT) {
    // Integral beyond 32 bits: int64, as the same integer as a bigint (msgpackr alone would write a float64).
    slab[position++] = 0xd3;
    writeInt64(value);
  } else {
    // Fractions, NaN, ±Infinity, integral numbers beyond ±2^53.
    slab[position++] = 0xcb;
    view.setFloat64(position, value);
    position += 8;
  }
}

/** Eight big-endian bytes of the two's complement of an integer within ±2^63 held exactly by a number. */
function writeInt64(value: number): void {
  const high = Math.floor(value / TWO_32);
  view.setInt32(position, high);
  view.setUint32(position + 4, value - high * TWO_32);
  position += 8;
}

function writeBigInt(value: bigint): void {
  if (value >= INT32_MIN && value < UINT32_END) {
    writeNumber(Number(value)); // smallest form, the same bytes as the number
  } else if (value >= INT64_MIN && value < INT64_END) {
    slab[position++] = 0xd3;
    view.setBigInt64(position, value);
    position += 8;
  } else if (value >= 0n && value < UINT64_END) {
    slab[position++] = 0xcf;
    view.setBigUint64(position, value);
    position += 8;
  } else {
    throw GIVE_UP; // outside 64 bits: refused
  }
}

function writeString(value: string): void {
  const length = value.length;
  if (length < SHORT_STRING) {
    // At most 3 bytes per UTF-16 unit; a fixstr or str8 header.
    if (position + 2 + length * 3 > safeEnd) grow(2 + length * 3);
    const headerSize = length < 0x20 ? 1 : 2;
    let at = position + headerSize;
    for (let index = 0; index < length; index++) {
      let code = value.charCodeAt(index);
      if (code < 0x80) {
        slab[at++] = code;
      } else if (code < 0x800) {
        slab[at++] = (code >> 6) | 0xc0;
        slab[at++] = (code & 0x3f) | 0x80;
      } else if ((code & 0xf800) !== 0xd800) {
        slab[at++] = (code >> 12) | 0xe0;
        slab[at++] = ((code >> 6) & 0x3f) | 0x80;
        slab[at++] = (code & 0x3f) | 0x80;
      } else {
        // A surrogate: only a high one followed by a low one is a character.
        const low = index + 1 < length ? value.charCodeAt(index + 1) : 0;
        if (code > 0xdbff || (low & 0xfc00) !== 0xdc00) throw GIVE_UP; // lone surrogate: refused
        index++;
        code = 0x10000 + ((code & 0x3ff) << 10) + (low & 0x3ff);
        slab[at++] = (code >> 18) | 0xf0;
        slab[at++] = ((code >> 12) & 0x3f) | 0x80;
        slab[at++] = ((code >> 6) & 0x3f) | 0x80;
        slab[at++] = (code & 0x3f) | 0x80;
      }
    }
    const bytes = at - position - headerSize;
    if (bytes < 0x20) {
      // headerSize is 1: a string of under 32 units that encodes to under 32 bytes
      slab[position] = 0xa0 | bytes;
    } else if (headerSize === 2) {
      slab[position] = 0xd9;
      slab[position + 1] = bytes;
    } else {
      // under 32 units but 32 or more bytes: make room for the str8 header
      slab.copyWithin(position + 2, position + 1, at);
      slab[position] = 0xd9;
      slab[position + 1] = bytes;
      at++;
    }
    position = at;
    return;
  }
  if (!isWellFormed.call(value)) throw GIVE_UP; // lone surrogate: refused
  const maxBytes = length * 3;
  if (position + 5 + maxBytes > safeEnd) grow(5 + maxBytes);
  // Header sized for the UTF-16 length, which never exceeds the UTF-8 length: moved right if the bytes need a bigger one.
  const headerSize = length < 0x100 ? 2 : length < 0x10000 ? 3 : 5;
  const bytes = slab.write(value, position + headerSize, maxBytes, 'utf8');
  const neededHeader = bytes < 0x100 ? 2 : bytes < 0x10000 ? 3 : 5;
  if (neededHeader !== headerSize) slab.copyWithin(position + neededHeader, position + headerSize, position + headerSize + bytes);
  if (neededHeader === 2) {
    slab[position] = 0xd9;
    slab[position + 1] = bytes;
  } else if (neededHeader === 3) {
    slab[position] = 0xda;
    slab[position + 1] = bytes >>> 8;
    slab[position + 2] = bytes & 0xff;
  } else {
    slab[position] = 0xdb;
    view.setUint32(position + 1, bytes);
  }
  position += neededHeader + bytes;
}

function writeObject(value: object, depth: number): void {
  const proto: unknown = getPrototypeOf(value);
  if (proto === ARRAY_PROTO) {
    if (!isArray(value)) throw GIVE_UP;
    writeArray(value as unknown[], depth);
  } else if (proto === OBJECT_PROTO || proto === null) {
    writeMap(value as Record<string, unknown>, depth);
  } else if (proto === BUFFER_PROTO || proto === UINT8_PROTO) {
    if (!ArrayBuffer.isView(value)) throw GIVE_UP;
    writeBinary(value as Uint8Array);
  } else if (proto === DATE_PROTO) {
    writeDate(value as Date);
  } else {
    throw GIVE_UP; // class instances, Map, Set, other typed arrays, other realms …
  }
}

function writeArray(array: unknown[], depth: number): void {
  if (depth >= MAX_DEPTH) throw GIVE_UP;
  const length = array.length;
  if (length < 0x10) {
    slab[position++] = 0x90 | length;
  } else if (length < 0x10000) {
    slab[position++] = 0xdc;
    slab[position++] = length >>> 8;
    slab[position++] = length & 0xff;
  } else {
    slab[position++] = 0xdd;
    view.setUint32(position, length);
    position += 4;
  }
  for (let index = 0; index < length; index++) {
    const item = array[index];
    if (item === undefined) throw GIVE_UP; // undefined or a hole: refused
    writeValue(item, depth + 1);
  }
}

function writeMap(object: Record<string, unknown>, depth: number): void {
  if (depth >= MAX_DEPTH) throw GIVE_UP;
  if (getOwnPropertySymbols(object).length !== 0) throw GIVE_UP; // refused if enumerable: the reference path decides
  const keys = objectKeys(object);
  const length = keys.length;
  if (length < 0x10) {
    slab[position++] = 0x80 | length;
  } else if (length < 0x10000) {
    slab[position++] = 0xde;
    slab[position++] = length >>> 8;
    slab[position++] = length & 0xff;
  } else {
    slab[position++] = 0xdf;
    view.setUint32(position, length);
    position += 4;
  }
  for (let index = 0; index < length; index++) {
    const key = keys[index]!;
    writeString(key);
    writeValue(object[key], depth + 1);
  }
}

function writeBinary(bytes: Uint8Array): void {
  const length = bytes.length;
  if (position + 5 + length > safeEnd) grow(5 + length);
  if (length < 0x100) {
    slab[position++] = 0xc4;
    slab[position++] = length;
  } else if (length < 0x10000) {
    slab[position++] = 0xc5;
    slab[position++] = length >>> 8;
    slab[position++] = length & 0xff;
  } else {
    slab[position++] = 0xc6;
    view.setUint32(position, length);
    position += 4;
  }
  if (length <= SHORT_BINARY) {
    for (let index = 0; index < length; index++) slab[position + index] = bytes[index]!;
  } else {
    slab.set(bytes, position);
  }
  position += length;
}

/** Timestamp extension (-1), in the form msgpackr picks: 32 bits for whole seconds in 0 … 2^32-1, else 64 for positive seconds below 2^32, else 96. */
function writeDate(date: Date): void {
  const time = getTime.call(date);
  if (time !== time) throw GIVE_UP; // invalid Date: refused
  const milliseconds = ((time % 1000) + 1000) % 1000;
  const seconds = (time - milliseconds) / 1000; // exact: a multiple of 1000 divided by 1000
  if (milliseconds === 0 && seconds >= 0 && seconds < TWO_32) {
    slab[position++] = 0xd6;
    slab[position++] = 0xff;
    view.setUint32(position, seconds);
    position += 4;
  } else if (time > 0 && seconds < TWO_32) {
    slab[position++] = 0xd7;
    slab[position++] = 0xff;
    view.setUint32(position, milliseconds * 4_000_000); // nanoseconds << 2; the top 2 bits of the seconds are 0
    view.setUint32(position + 4, seconds);
    position += 8;
  } else {
    slab[position++] = 0xc7;
    slab[position++] = 12;
    slab[position++] = 0xff;
    view.setUint32(position, milliseconds * 1_000_000);
    position += 4;
    writeInt64(seconds);
  }
}
