/**
 * Structural check of untrusted MessagePack bytes before any decoder sees
 * them: one pass, no recursion, no allocation proportional to what a header
 * claims. It accepts exactly one value of the mcc type mapping
 * (docs/FORMAT.md §5) and nothing after it, and throws {@link ScanError}
 * for everything else:
 *
 * - truncation: a header or payload running past the end (so every prefix of
 *   a valid encoding fails, msgpack being prefix-free);
 * - impossible counts: an array or map claiming more elements than bytes
 *   remain (every element takes at least one byte), so a corrupt length
 *   such as array32 with 2^32-1 elements fails here instead of making the
 *   decoder allocate for it;
 * - nesting deeper than {@link MAX_DEPTH};
 * - map keys that are not strings; strings that are not valid UTF-8;
 * - the reserved byte 0xc1 and every extension type except -1 (timestamp),
 *   including msgpackr's own extensions (records, bundled strings,
 *   structured-clone references), which are not part of the format;
 * - timestamps with nanoseconds above 999,999,999 or outside the range of a
 *   JavaScript Date.
 *
 * It also reports whether a map has a `__proto__` key, which the decoder must
 * then define as an own property (msgpackr alone would rename it).
 *
 * It runs on every decode, so it is one tight loop: no closures, a fixed
 * stack of open containers, string and binary payloads skipped by their
 * length (a string's bytes are only read to check UTF-8, ASCII by hand and
 * anything else natively), and messages built only for an error.
 */
import { isUtf8 } from 'node:buffer';
import { MAX_DEPTH } from './prepare-value';

export class ScanError extends Error {
  constructor(readonly reason: string, readonly offset: number) {
    super(`${reason} (at byte ${offset})`);
  }
}

export interface ScanResult {
  /** True when some map has the key `__proto__`. */
  readonly hasProtoKey: boolean;
}

/** Largest |milliseconds| a JavaScript Date holds. */
const MAX_DATE_MS = 8.64e15;
/** UTF-8 of `__proto__`. */
const PROTO_KEY = Buffer.from('__proto__', 'utf8');

/**
 * The parents of the open container while scanning: elements each still
 * expects (a map of n pairs expects 2n) and whether it is a map; the bottom
 * one is the root, a pseudo-array expecting one element. Shared by every
 * scan (it runs synchronously). A count is taken only when that many bytes
 * remain, and a Buffer holds at most 2^32 bytes, so it fits 32 bits.
 */
const remaining = new Uint32Array(MAX_DEPTH + 1);
const isMap = new Uint8Array(MAX_DEPTH + 1);
/** Strings from this many bytes on are checked by the native UTF-8 validator; shorter ones are checked for ASCII first. */
const NATIVE_UTF8_FROM = 128;

/** @param view a DataView of exactly `bytes`, if the caller has one */
export function scanMsgpack(bytes: Uint8Array, view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)): ScanResult {
  const end = bytes.length;
  // The open container being read: its index in the stack, elements still expected, whether it is a map.
  // Its parents' counts wait in `remaining`/`isMap` below `top`.
  let top = 0;
  let left = 1;
  let inMap = false;
  let position = 0;
  let hasProtoKey = false;

  for (;;) {
    while (left === 0) {
      if (top === 0) {
        if (position !== end) throw new ScanError(`${plural(end - position, 'unexpected byte')} after the value`, position);
        return { hasProtoKey };
      }
      left = remaining[--top]!;
      inMap = isMap[top] === 1;
    }
    // In a map of n pairs the count runs 2n, 2n-1, …: keys are read at even counts.
    const isKey = inMap && (left & 1) === 0;
    left--;
    if (position >= end) throw truncated(isKey ? 'a map key' : 'a value', 1, end, position);
    const token = bytes[position]!;
    if (!isKey) {
      // Integers, floats, nil and booleans: nothing to check but their size.
      const size = FIXED_SIZE[token]!;
      if (size !== 0) {
        if (end - position < size) throw truncated(SCALAR_NAMES[token]!, size, end, position);
        position += size;
        continue;
      }
    }

    // Strings (keys and values): header, bounds, UTF-8, and the __proto__ key.
    let length = -1;
    let headerSize = 1;
    if (token >= 0xa0 && token <= 0xbf) {
      length = token & 0x1f;
    } else if (token >= 0xd9 && token <= 0xdb) {
      headerSize = token === 0xd9 ? 2 : token === 0xda ? 3 : 5;
      if (end - position < headerSize) throw truncated('a string header', headerSize, end, position);
      length = token === 0xd9 ? bytes[position + 1]! : token === 0xda ? view.getUint16(position + 1) : view.getUint32(position + 1);
    } else if (isKey) {
      throw new ScanError(`a map key is ${describeToken(token)}; mcc maps have string keys`, position);
    }
    if (length >= 0) {
      const at = position;
      const from = position + headerSize;
      if (end - from < length) {
        throw truncated(headerSize === 1 ? 'a string' : `a ${length}-byte string`, headerSize === 1 ? 1 + length : length, end, headerSize === 1 ? position : from);
      }
      const to = from + length;
      position = to;
      if (length >= NATIVE_UTF8_FROM) {
        if (!isUtf8(bytes.subarray(from, to))) throw new ScanError('a string is not valid UTF-8', at);
      } else if (length > 0) {
        // ASCII (the common case) is valid UTF-8; anything else goes to the validator.
        let high = 0;
        let index = from;
        for (; index + 4 <= to; index += 4) high |= view.getInt32(index);
        for (; index < to; index++) high |= bytes[index]!;
        if ((high & 0x80808080) !== 0 && !isUtf8(bytes.subarray(from, to))) throw new ScanError('a string is not valid UTF-8', at);
        if (isKey && length === 9 && isProtoKey(bytes, from)) hasProtoKey = true;
      }
      continue;
    }

    let count: number;
    let map: boolean;
    if (token <= 0x9f) {
      // fixmap, fixarray
      count = token & 0x0f;
      map = token <= 0x8f;
      headerSize = 1;
    } else if (token >= 0xdc) {
      // array16, array32, map16, map32
      map = token >= 0xde;
      headerSize = token === 0xdc || token === 0xde ? 3 : 5;
      if (end - position < headerSize) throw truncated(`${map ? 'a map' : 'an array'}${headerSize === 3 ? 16 : 32} header`, headerSize, end, position);
      count = headerSize === 3 ? view.getUint16(position + 1) : view.getUint32(position + 1);
    } else {
      position = scalar(bytes, view, token, position, end);
      continue;
    }
    position += headerSize;
    const elements = map ? count * 2 : count;
    if (elements > end - position) {
      throw new ScanError(
        `${map ? 'a map' : 'an array'} claims ${count} ${map ? 'entries' : 'elements'} but only ${plural(end - position, 'byte')} remain`,
        position - headerSize,
      );
    }
    if (top >= MAX_DEPTH) throw new ScanError(`nesting deeper than ${MAX_DEPTH} levels`, position - headerSize);
    if (elements > 0) {
      remaining[top] = left;
      isMap[top] = inMap ? 1 : 0;
      top++;
      left = elements;
      inMap = map;
    }
  }
}

const PROTO_0 = PROTO_KEY[0]!;

function isProtoKey(bytes: Uint8Array, from: number): boolean {
  if (bytes[from] !== PROTO_0) return false;
  for (let index = 1; index < 9; index++) if (bytes[from + index] !== PROTO_KEY[index]) return false;
  return true;
}

function truncated(what: string, count: number, end: number, position: number): ScanError {
  return new ScanError(`truncated: ${what} needs ${plural(count, 'byte')} but ${end - position} remain`, position);
}

/** Skips a binary or an extension, or refuses the token; returns the position after the value. */
function scalar(bytes: Uint8Array, view: DataView, token: number, position: number, end: number): number {
  switch (token) {
    case 0xc1: throw new ScanError('byte 0xc1 is reserved in MessagePack', position);
    case 0xc4: case 0xc5: case 0xc6: {
      const headerSize = token === 0xc4 ? 2 : token === 0xc5 ? 3 : 5;
      if (end - position < headerSize) throw truncated('a binary header', headerSize, end, position);
      const length = token === 0xc4 ? bytes[position + 1]! : token === 0xc5 ? view.getUint16(position + 1) : view.getUint32(position + 1);
      const from = position + headerSize;
      if (end - from < length) throw truncated(`a ${length}-byte binary`, length, end, from);
      return from + length;
    }
    case 0xc7: return extension(bytes, view, position, end, 3, 1, 0);
    case 0xc8: return extension(bytes, view, position, end, 4, 2, 0);
    case 0xc9: return extension(bytes, view, position, end, 6, 4, 0);
    case 0xd4: return extension(bytes, view, position, end, 2, 0, 1);
    case 0xd5: return extension(bytes, view, position, end, 2, 0, 2);
    case 0xd6: return extension(bytes, view, position, end, 2, 0, 4);
    case 0xd7: return extension(bytes, view, position, end, 2, 0, 8);
    case 0xd8: return extension(bytes, view, position, end, 2, 0, 16);
    default: throw new ScanError(`unknown MessagePack token 0x${token.toString(16)}`, position);
  }
}

/** Total size of the values whose size the token alone gives (fixints, nil, booleans, ints, floats); 0 for the others. */
const FIXED_SIZE = new Uint8Array(256);
for (let token = 0; token <= 0x7f; token++) FIXED_SIZE[token] = 1;
for (let token = 0xe0; token <= 0xff; token++) FIXED_SIZE[token] = 1;
for (const [token, size] of [[0xc0, 1], [0xc2, 1], [0xc3, 1], [0xca, 5], [0xcb, 9], [0xcc, 2], [0xcd, 3], [0xce, 5], [0xcf, 9], [0xd0, 2], [0xd1, 3], [0xd2, 5], [0xd3, 9]] as const) {
  FIXED_SIZE[token] = size;
}

const SCALAR_NAMES: Readonly<Record<number, string>> = {
  0xca: 'a float32', 0xcb: 'a float64',
  0xcc: 'an 8-bit integer', 0xd0: 'an 8-bit integer', 0xcd: 'a 16-bit integer', 0xd1: 'a 16-bit integer',
  0xce: 'a 32-bit integer', 0xd2: 'a 32-bit integer', 0xcf: 'a 64-bit integer', 0xd3: 'a 64-bit integer',
};

/** Checks an extension (only -1, timestamp, is accepted); returns the position after it. */
function extension(bytes: Uint8Array, view: DataView, position: number, end: number, headerSize: number, lengthSize: 0 | 1 | 2 | 4, fixedLength: number): number {
  if (end - position < headerSize) throw truncated('an extension header', headerSize, end, position);
  const length = lengthSize === 0 ? fixedLength : lengthSize === 1 ? bytes[position + 1]! : lengthSize === 2 ? view.getUint16(position + 1) : view.getUint32(position + 1);
  const type = view.getInt8(position + headerSize - 1);
  const from = position + headerSize;
  if (end - from < length) throw truncated(`a ${length}-byte extension`, length, end, from);
  if (type !== -1) throw new ScanError(`extension type ${type} is not part of the mcc format (only -1, timestamp)`, position);
  checkTimestamp(view, from, length, position);
  return from + length;
}

/** Timestamp extension (-1): 4 bytes u32 seconds; 8 bytes u30 ns + u34 seconds; 12 bytes u32 ns + i64 seconds. */
function checkTimestamp(view: DataView, offset: number, length: number, at: number): void {
  let seconds: number;
  let nanoseconds: number;
  if (length === 4) return; // u32 seconds: always a valid Date
  if (length === 8) {
    const high = view.getUint32(offset);
    nanoseconds = high >>> 2;
    seconds = (high & 0x3) * 0x1_0000_0000 + view.getUint32(offset + 4);
  } else if (length === 12) {
    nanoseconds = view.getUint32(offset);
    const wide = view.getBigInt64(offset + 4);
    if (wide > 10n ** 13n || wide < -(10n ** 13n)) throw new ScanError('a timestamp is outside the range of a JavaScript Date', at);
    seconds = Number(wide);
  } else {
    throw new ScanError(`a timestamp has ${length} bytes (4, 8 or 12 expected)`, at);
  }
  if (nanoseconds > 999_999_999) throw new ScanError(`a timestamp has ${nanoseconds} nanoseconds (at most 999999999)`, at);
  if (Math.abs(seconds * 1000 + nanoseconds / 1e6) > MAX_DATE_MS) {
    throw new ScanError('a timestamp is outside the range of a JavaScript Date', at);
  }
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

function describeToken(token: number): string {
  if (token <= 0x7f || token >= 0xe0 || (token >= 0xcc && token <= 0xd3)) return 'an integer';
  if (token === 0xca || token === 0xcb) return 'a float';
  if (token <= 0x8f || token === 0xde || token === 0xdf) return 'a map';
  if (token <= 0x9f || token === 0xdc || token === 0xdd) return 'an array';
  if (token === 0xc0) return 'nil';
  if (token === 0xc2 || token === 0xc3) return 'a boolean';
  if (token >= 0xc4 && token <= 0xc6) return 'binary data';
  if (token === 0xc1) return 'the reserved byte 0xc1';
  return 'an extension';
}
