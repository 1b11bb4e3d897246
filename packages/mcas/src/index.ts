/**
 * @mcc/mcas — lock-free multi-entry compare-and-set over plain memcached
 * (Fraser's MCAS with descriptors and helping). Re-exports what a user needs
 * from @mcc/codec, so `@mcc/mcas` is the only package to install.
 *
 * Every location that may take part in an MCAS must be read with
 * `mcasGet`/`mcasGetMulti`: a plain `store.get` may return a reference.
 *
 * @packageDocumentation
 */
export { mcas } from './mcas';
export { mcasGet, mcasGetMulti } from './mcas-get';
export { mcasUpdate, type McasUpdateOptions } from './mcas-update';
export { Backoff, pause, type BackoffOptions } from './backoff';
export { mcasOutcome } from './help';
export { isLostReply } from './io';
export type { McasUpdate } from './plan';
export { type McasOptions, type McasHooks, type McasStep, DEFAULT_DESCRIPTOR_TTL_SECONDS, MAX_RELATIVE_TTL_SECONDS } from './options';
export { McasCorruptionError, McasOutcomeUnknownError, McasContentionError } from './errors';
export { DESCRIPTOR_KIND, REFERENCE_KIND } from './kinds';
export { describeLocation, type LocationDescription } from './describe-location';
export { McasStatus } from './status';
export { type HelpMessage } from './diagnostics';
export type { McasMessage } from './tracing';
export { DESCRIPTOR_KEY_PREFIX, compareKeys } from './keys';
export { REFERENCE_OVERHEAD_BYTES } from './reference';
export { MAX_INLINE_VALUE_BYTES, MAX_INLINE_TOTAL_BYTES } from './descriptor';

// From @mcc/codec (and the protocol beneath it), so users need not install them.
export {
  Store,
  connect,
  type ConnectOptions,
  type Entry,
  type WriteOptions,
  CodecId,
  type Codec,
  msgpackCodec,
  rawCodec,
  jsonCodec,
  RecordKind,
  mccFlags,
  parseFlags,
  Client,
  DEFAULT_CLIENT_OPTIONS,
  type ClientOptions,
  type ClientMetrics,
  type ServerInfo,
  type ServerSpec,
  McError,
  EncodeError,
  DecodeError,
  CodecMismatchError,
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
} from '@mcc/codec';
