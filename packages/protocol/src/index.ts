/**
 * @mcc/protocol — a memcached client (binary or meta protocol, plain TCP or
 * TLS, SASL) with explicit CAS ids, pipelining and consistent hashing over
 * many servers.
 *
 * @packageDocumentation
 */
export { Client, type Value, type StoreOptions, type CasCondition, type CounterOptions, type GetOptions } from './client';
export type { Item } from './item';
export type { ServerInfo } from './connection/server-info';
export type { AuthOptions, ClientOptions, Protocol, SaslOptions } from './options';
export { DEFAULT_CLIENT_OPTIONS, PROTOCOL_ENV } from './options';
export { exponentialBackoff, type ReconnectStrategy } from './connection/reconnect-strategy';
export { metricsDelta, type ClientMetrics } from './metrics';
export { HashRing, type HashRingOptions } from './cluster/hash-ring';
export { parseServerAddress, parseServerList, type ServerAddress, type ServerSpec } from './cluster/server-address';
export { validateKey } from './keys';
export { quoteKey } from './quote-key';
export type { CommandMessage, ConnectMessage, CloseMessage, ConnectionErrorMessage } from './tracing';
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
  AuthenticationError,
} from './errors';
