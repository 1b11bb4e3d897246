/**
 * @mcc/protocol — a memcached binary-protocol client with explicit CAS ids,
 * pipelining and consistent hashing over many servers.
 *
 * @packageDocumentation
 */
export { Client, type Value, type StoreOptions, type CasCondition, type CounterOptions } from './client';
export type { Item } from './item';
export type { ServerInfo } from './connection/server-info';
export type { ClientOptions } from './options';
export { DEFAULT_CLIENT_OPTIONS } from './options';
export { exponentialBackoff, type ReconnectStrategy } from './connection/reconnect-strategy';
export { metricsDelta, type ClientMetrics } from './metrics';
export { HashRing, type HashRingOptions } from './cluster/hash-ring';
export { parseServerAddress, parseServerList, type ServerAddress, type ServerSpec } from './cluster/server-address';
export { validateKey } from './keys';
export { quoteKey } from './quote-key';
export { MAX_KEY_LENGTH } from './wire/constants';
export {
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
} from './errors';
