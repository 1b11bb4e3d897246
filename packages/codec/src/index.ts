/**
 * @mcc/codec — values in a cross-language format (MessagePack by default)
 * and typed CAS entries over @mcc/protocol. Re-exports what a user needs to
 * connect, so `@mcc/codec` is the only package to install.
 *
 * @packageDocumentation
 */
export { Store, connect, type ConnectOptions } from './store';
export type { CasTarget, Entry, WriteOptions } from './entry';
export { CodecId, type Codec } from './codec';
export { msgpackCodec, msgpackrInteropOptions } from './msgpack-codec';
export { rawCodec } from './raw-codec';
export { jsonCodec } from './json-codec';
export { FLAGS_MARKER, RecordKind, mccFlags, parseFlags, type ParsedFlags } from './flags';
export { MAX_DEPTH } from './prepare-value';
export { EncodeError, DecodeError, CodecMismatchError, type CodecErrorContext } from './errors';

// From @mcc/protocol, so users need not install it separately.
export {
  Client,
  DEFAULT_CLIENT_OPTIONS,
  MAX_KEY_LENGTH,
  validateKey,
  exponentialBackoff,
  type Item,
  type ClientOptions,
  type StoreOptions,
  type CasCondition,
  type CounterOptions,
  type Value,
  type ServerInfo,
  type ServerSpec,
  type ClientMetrics,
  type ReconnectStrategy,
  McError,
  ConnectionError,
  ConnectionClosedError,
  TimeoutError,
  ProtocolError,
  ServerError,
  ValueTooLargeError,
  InvalidKeyError,
  InvalidArgumentError,
  CasUnsupportedError,
  StaleCasError,
  ClientClosedError,
  QueueFullError,
  AuthenticationError,
  quoteKey,
} from '@mcc/protocol';
