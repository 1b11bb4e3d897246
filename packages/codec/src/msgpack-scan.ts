/**
 * Structural check of untrusted MessagePack bytes before any decoder sees
 * them: one pass, no recursion, no allocation proportional to what a header
 * claims. It accepts exactly one value of the mcc type mapping
 * (docs/FORMAT.md §4) and nothing after it, and throws {@link ScanError}
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

export function scanMsgpack(bytes: Uint8Array): ScanResult {
  const end = bytes.length;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // Open containers: elements still expected (a map of n pairs expects 2n) and
  // whether it is a map. The root is a pseudo-array expecting one element.
  const remaining: number[] = [1];
  const isMap: boolean[] = [false];
  let position = 0;
  let hasProtoKey = false;

  const need = (count: number, what: string): void => {
    if (end - position < count) {
      throw new ScanError(`truncated: ${what} needs ${plural(count, 'byte')} but ${end - position} remain`, position);
    }
  };
  const lengthAt = (offset: number, size: 1 | 2 | 4): number =>
    size === 1 ? bytes[offset]! : size === 2 ? view.getUint16(offset) : view.getUint32(offset);

  /** Skips a header of `headerSize` bytes whose length field is `lengthSize` wide, then `length` payload bytes. */
  const sized = (headerSize: number, lengthSize: 1 | 2 | 4, what: string): number => {
    need(headerSize, `a ${what} header`);
    const length = lengthAt(position + 1, lengthSize);
    const start = position + headerSize;
    position = start;
    need(length, `a ${length}-byte ${what}`);
    position += length;
    return start;
  };

  const string = (headerSize: number, lengthSize: 1 | 2 | 4 | 0, isKey: boolean): void => {
    const token = bytes[position]!;
    const at = position;
    let start: number;
    if (lengthSize === 0) {
      start = position + 1;
      need(1 + (token & 0x1f), 'a string');
      position = start + (token & 0x1f);
    } else {
      start = sized(headerSize, lengthSize, 'string');
    }
    const text = bytes.subarray(start, position);
    if (!isUtf8(text)) throw new ScanError('a string is not valid UTF-8', at);
    if (isKey && text.length === PROTO_KEY.length && PROTO_KEY.equals(text)) hasProtoKey = true;
  };

  const container = (count: number, map: boolean, headerSize: number): void => {
    position += headerSize;
    const elements = map ? count * 2 : count;
    if (elements > end - position) {
      throw new ScanError(
        `${map ? 'a map' : 'an array'} claims ${count} ${map ? 'entries' : 'elements'} but only ${plural(end - position, 'byte')} remain`,
        position - headerSize,
      );
    }
    if (remaining.length > MAX_DEPTH) throw new ScanError(`nesting deeper than ${MAX_DEPTH} levels`, position - headerSize);
    if (elements > 0) {
      remaining.push(elements);
      isMap.push(map);
    }
  };

  const extension = (headerSize: number, lengthSize: 1 | 2 | 4 | 0, fixedLength: number): void => {
    const at = position;
    need(headerSize, 'an extension header');
    const length = lengthSize === 0 ? fixedLength : lengthAt(position + 1, lengthSize);
    const type = view.getInt8(position + headerSize - 1);
    position += headerSize;
    need(length, `a ${length}-byte extension`);
    if (type !== -1) throw new ScanError(`extension type ${type} is not part of the mcc format (only -1, timestamp)`, at);
    checkTimestamp(view, position, length, at);
    position += length;
  };

  while (remaining.length > 0) {
    const top = remaining.length - 1;
    const left = remaining[top]!;
    if (left === 0) {
      remaining.pop();
      isMap.pop();
      continue;
    }
    remaining[top] = left - 1;
    // In a map of n pairs the count runs 2n, 2n-1, …: keys are read at even counts.
    const isKey = isMap[top]! && left % 2 === 0;
    need(1, isKey ? 'a map key' : 'a value');
    const token = bytes[position]!;

    if (isKey && !(token >= 0xa0 && token <= 0xbf) && token !== 0xd9 && token !== 0xda && token !== 0xdb) {
      throw new ScanError(`a map key is ${describeToken(token)}; mcc maps have string keys`, position);
    }
    if (token <= 0x7f || token >= 0xe0) position += 1; // positive / negative fixint
    else if (token <= 0x8f) container(token & 0x0f, true, 1);
    else if (token <= 0x9f) container(token & 0x0f, false, 1);
    else if (token <= 0xbf) string(1, 0, isKey);
    else {
      switch (token) {
        case 0xc0: case 0xc2: case 0xc3: position += 1; break;
        case 0xc1: throw new ScanError('byte 0xc1 is reserved in MessagePack', position);
        case 0xc4: sized(2, 1, 'binary'); break;
        case 0xc5: sized(3, 2, 'binary'); break;
        case 0xc6: sized(5, 4, 'binary'); break;
        case 0xc7: extension(3, 1, 0); break;
        case 0xc8: extension(4, 2, 0); break;
        case 0xc9: extension(6, 4, 0); break;
        case 0xca: need(5, 'a float32'); position += 5; break;
        case 0xcb: need(9, 'a float64'); position += 9; break;
        case 0xcc: case 0xd0: need(2, 'an 8-bit integer'); position += 2; break;
        case 0xcd: case 0xd1: need(3, 'a 16-bit integer'); position += 3; break;
        case 0xce: case 0xd2: need(5, 'a 32-bit integer'); position += 5; break;
        case 0xcf: case 0xd3: need(9, 'a 64-bit integer'); position += 9; break;
        case 0xd4: extension(2, 0, 1); break;
        case 0xd5: extension(2, 0, 2); break;
        case 0xd6: extension(2, 0, 4); break;
        case 0xd7: extension(2, 0, 8); break;
        case 0xd8: extension(2, 0, 16); break;
        case 0xd9: string(2, 1, isKey); break;
        case 0xda: string(3, 2, isKey); break;
        case 0xdb: string(5, 4, isKey); break;
        case 0xdc: need(3, 'an array16 header'); container(view.getUint16(position + 1), false, 3); break;
        case 0xdd: need(5, 'an array32 header'); container(view.getUint32(position + 1), false, 5); break;
        case 0xde: need(3, 'a map16 header'); container(view.getUint16(position + 1), true, 3); break;
        case 0xdf: need(5, 'a map32 header'); container(view.getUint32(position + 1), true, 5); break;
        default: throw new ScanError(`unknown MessagePack token 0x${token.toString(16)}`, position);
      }
    }
  }
  if (position !== end) throw new ScanError(`${plural(end - position, 'unexpected byte')} after the value`, position);
  return { hasProtoKey };
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
