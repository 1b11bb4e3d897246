/**
 * The default codec: MessagePack on msgpackr, configured so that any
 * MessagePack library reads what it writes and it reads what they write
 * (docs/FORMAT.md §5 has the exact type mapping).
 *
 * - No msgpackr-only extensions: records (`useRecords: false`), structured
 *   clone, "more types", bundled strings and the bigint extension are off;
 *   the decoder refuses them too (see msgpack-scan.ts).
 * - Integers are written by value, whatever their JS type: within 32 bits
 *   in the smallest form, up to ±2^53 (number or bigint) as int64, beyond
 *   that as int64/uint64 from a bigint (a bigint outside 64 bits is refused;
 *   a number beyond ±2^53 is a float64, which is exactly what it holds).
 *   They are read back as a number up to ±2^53 and a bigint beyond.
 * - Maps decode to plain objects with string keys; a `__proto__` key becomes
 *   an own property, never the prototype.
 * - Binaries decode to a Buffer that owns a copy of its bytes: a decoded
 *   value never aliases the (network) buffer it was decoded from.
 * - Untrusted bytes are checked structurally first (msgpack-scan.ts), so a
 *   corrupt length fails before msgpackr allocates for it.
 *
 * Encoding takes a fast path first (msgpack-writer.ts): one pass that checks
 * and writes ordinary values, giving exactly the bytes msgpackr writes with
 * these options. When it gives up (anything it does not handle, including
 * every value the format refuses), the reference path runs: the safety walk
 * (prepare-value.ts), which names what cannot be encoded, then msgpackr.
 */
import { Packr, Unpackr, type Options } from 'msgpackr';
import type { Codec } from './codec';
import { CodecId } from './codec';
import { DecodeError, EncodeError } from './errors';
import { scanMsgpack, ScanError } from './msgpack-scan';
import { writeMsgpack } from './msgpack-writer';
import { prepareValue, Refusal, type LeafRules } from './prepare-value';

const NAME = 'msgpack';

/**
 * The msgpackr options of the default codec (interop with other languages'
 * MessagePack: docs/FORMAT.md §5); a fresh object per call (msgpackr writes
 * into it). Exported for benchmarks that compare against msgpackr alone.
 */
export function msgpackrInteropOptions(mapsAsObjects: boolean): Options {
  return {
    useRecords: false,
    structuredClone: false,
    moreTypes: false,
    bundleStrings: false,
    useBigIntExtension: false,
    largeBigIntToFloat: false,
    largeBigIntToString: false,
    encodeUndefinedAsNil: false,
    useTimestamp32: false,
    useFloat32: 0, // FLOAT32_OPTIONS.NEVER: every non-integer is a float64
    variableMapSize: true, // fixmap/map16/map32 by size, as other encoders write them
    copyBuffers: true,
    mapsAsObjects,
    // 'auto' (msgpackr ≥ 1.11): int64/uint64 within ±2^53 as number, beyond as bigint.
    int64AsType: 'auto' as Options['int64AsType'],
  };
}

const packr = new Packr(msgpackrInteropOptions(true));
const objectUnpackr = new Unpackr(msgpackrInteropOptions(true));
/** Used only for input with a `__proto__` key (msgpackr's object mode renames it to `__proto_`). */
const mapUnpackr = new Unpackr(msgpackrInteropOptions(false));

const INT32_MIN = -(2 ** 31);
const UINT32_END = 2 ** 32;
const SAFE_LIMIT = 2 ** 53;
const INT64_MIN = -(2n ** 63n);
const UINT64_END = 2n ** 64n;

const rules: LeafRules = {
  codec: NAME,
  number(value) {
    // msgpackr writes integral numbers beyond 32 bits as float64; other languages would read a float.
    if (Number.isInteger(value) && (value < INT32_MIN || value >= UINT32_END) && Math.abs(value) <= SAFE_LIMIT) return BigInt(value);
    return value;
  },
  bigint(value) {
    if (value >= INT32_MIN && value < UINT32_END) return Number(value); // smallest form, same bytes as the number
    if (value < INT64_MIN || value >= UINT64_END) throw new Refusal('is a bigint outside the 64-bit range (-2^63 to 2^64-1)');
    return value;
  },
  date: (value) => value,
  // A Uint8Array of another realm would not be recognised by msgpackr: view it as a Buffer.
  binary(value) {
    if (value instanceof Uint8Array) return value;
    const foreign = value as { buffer: ArrayBuffer; byteOffset: number; byteLength: number };
    return Buffer.from(foreign.buffer, foreign.byteOffset, foreign.byteLength);
  },
};

function mapsToObjects(value: unknown): unknown {
  if (value instanceof Map) {
    const object: Record<string, unknown> = {};
    for (const [key, item] of value as Map<string, unknown>) {
      const converted = mapsToObjects(item);
      if (key === '__proto__') {
        Object.defineProperty(object, key, { value: converted, writable: true, enumerable: true, configurable: true });
      } else {
        object[key] = converted;
      }
    }
    return object;
  }
  if (Array.isArray(value)) {
    for (let index = 0; index < value.length; index++) value[index] = mapsToObjects(value[index]);
  }
  return value;
}

/**
 * A fresh Buffer view of the caller's bytes (no copy): msgpackr caches a
 * `dataView` property on the buffer it decodes, which must not land on the
 * caller's buffer. A Buffer, so that copied binaries come out as Buffers.
 * It carries the DataView the scan uses, which msgpackr then takes instead
 * of making its own.
 */
function freshView(bytes: Uint8Array): Buffer & { dataView: DataView } {
  const source = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) as Buffer & { dataView: DataView };
  source.dataView = new DataView(source.buffer, source.byteOffset, source.byteLength);
  return source;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * The reference encoder: the safety walk, then msgpackr. The codec uses it
 * where the fast writer gives up; the tests check the writer against it.
 *
 * @throws EncodeError naming the part of `value` that cannot be encoded
 */
export function encodeByReference(value: unknown): Buffer {
  const prepared = prepareValue(value, rules);
  try {
    return packr.pack(prepared);
  } catch (error) {
    throw new EncodeError(NAME, 'value', `could not be encoded: ${messageOf(error)}`, { cause: error });
  }
}

/** The default codec (id 1): MessagePack with the mcc type mapping. */
export const msgpackCodec: Codec = Object.freeze({
  id: CodecId.Msgpack,
  name: NAME,
  encode(value: unknown): Buffer {
    return writeMsgpack(value) ?? encodeByReference(value);
  },
  decode(bytes: Buffer): unknown {
    if (!(bytes instanceof Uint8Array)) throw new DecodeError(NAME, `expected a Buffer, got ${typeof bytes}`);
    const source = freshView(bytes);
    let hasProtoKey: boolean;
    try {
      hasProtoKey = scanMsgpack(source, source.dataView).hasProtoKey;
    } catch (error) {
      if (error instanceof ScanError) throw new DecodeError(NAME, error.reason, { offset: error.offset });
      throw error;
    }
    try {
      return hasProtoKey ? mapsToObjects(mapUnpackr.unpack(source)) : objectUnpackr.unpack(source);
    } catch (error) {
      // Not expected after the scan; never let a decoder failure pass as a value.
      throw new DecodeError(NAME, `msgpackr failed: ${messageOf(error)}`, { cause: error });
    }
  },
});
