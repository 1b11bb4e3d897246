/**
 * Binary-protocol constants (memcached `protocol_binary.h`).
 *
 * Header layout, 24 bytes, every multi-byte field big-endian:
 *
 *   offset  size  request               response
 *   0       1     magic 0x80            magic 0x81
 *   1       1     opcode                opcode (echoed)
 *   2       2     key length            key length
 *   4       1     extras length         extras length
 *   5       1     data type (0)         data type (0)
 *   6       2     vbucket id (0)        status
 *   8       4     total body length = extras + key + value
 *   12      4     opaque                opaque (echoed verbatim: we match replies by it)
 *   16      8     CAS                   CAS (a store/delete/incr reply carries the item's NEW cas)
 *
 * Plain objects (`as const`) rather than `const enum`: they survive per-file
 * transpilation (ts-jest, esbuild) and cost one property load.
 */

export const HEADER_LENGTH = 24;
export const REQUEST_MAGIC = 0x80;
export const RESPONSE_MAGIC = 0x81;

/** memcached refuses keys longer than this many bytes. */
export const MAX_KEY_LENGTH = 250;

/**
 * Room for the key (≤ 250 bytes), extras and flags around a value in a
 * reply: a reply body longer than the server's `item_size_max` plus this is
 * a corrupt or hostile length field, not data.
 */
export const REPLY_OVERHEAD = 1024;

/**
 * The bound on a reply body before the handshake has told the server's item
 * limit: the handshake's own replies (stats lines, SASL) are small.
 */
export const HANDSHAKE_BODY_LIMIT = 64 * 1024;

/** Expiration value telling incr/decr not to create a missing counter. */
export const COUNTER_NO_CREATE = 0xffffffff;

export const Opcode = {
  Get: 0x00,
  Set: 0x01,
  Add: 0x02,
  Replace: 0x03,
  Delete: 0x04,
  Increment: 0x05,
  Decrement: 0x06,
  Quit: 0x07,
  Flush: 0x08,
  GetQ: 0x09,
  Noop: 0x0a,
  Version: 0x0b,
  GetK: 0x0c,
  GetKQ: 0x0d, // quiet: no reply on a miss; the key comes back with a hit
  Append: 0x0e,
  Prepend: 0x0f,
  Stat: 0x10, // one reply per statistic, then one with an empty key
  SetQ: 0x11,
  AddQ: 0x12,
  ReplaceQ: 0x13,
  DeleteQ: 0x14, // quiet: no reply on success
  IncrementQ: 0x15,
  DecrementQ: 0x16,
  QuitQ: 0x17,
  FlushQ: 0x18,
  AppendQ: 0x19,
  PrependQ: 0x1a,
  Touch: 0x1c,
  GetAndTouch: 0x1d,
  GetAndTouchQ: 0x1e,
  SaslListMechanisms: 0x20,
  SaslAuth: 0x21, // key: mechanism name; value: the mechanism's data (PLAIN: "\0user\0password")
  SaslStep: 0x22,
} as const;
export type Opcode = (typeof Opcode)[keyof typeof Opcode];

export const Status = {
  NoError: 0x0000,
  KeyNotFound: 0x0001,
  KeyExists: 0x0002, // also: CAS mismatch, and add on an existing key
  ValueTooLarge: 0x0003,
  InvalidArguments: 0x0004,
  ItemNotStored: 0x0005,
  NonNumericValue: 0x0006, // incr/decr on a value that is not a decimal number
  AuthError: 0x0020, // SASL: credentials refused, or a request before authentication under -S
  AuthContinue: 0x0021,
  UnknownCommand: 0x0081,
  OutOfMemory: 0x0082, // also what `-M` answers instead of evicting
  NotSupported: 0x0083,
  InternalError: 0x0084,
  Busy: 0x0085,
  TemporaryFailure: 0x0086,
} as const;
export type Status = (typeof Status)[keyof typeof Status];

const STATUS_NAMES: Record<number, string> = {
  0x0000: 'no error',
  0x0001: 'key not found',
  0x0002: 'key exists',
  0x0003: 'value too large',
  0x0004: 'invalid arguments',
  0x0005: 'item not stored',
  0x0006: 'incr/decr on a non-numeric value',
  0x0020: 'authentication error',
  0x0021: 'authentication continue',
  0x0081: 'unknown command',
  0x0082: 'out of memory',
  0x0083: 'not supported',
  0x0084: 'internal error',
  0x0085: 'busy',
  0x0086: 'temporary failure',
};

/** Human-readable name of a status, for error messages. */
export function statusName(status: number): string {
  return STATUS_NAMES[status] ?? `unknown status 0x${status.toString(16).padStart(4, '0')}`;
}
