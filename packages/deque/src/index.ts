/**
 * @mcc/deque — a lock-free distributed deque of unlimited size on plain
 * memcached, with atomic moves between deques. Re-exports what a user needs
 * to connect, so `@mcc/deque` is the only package to install.
 *
 * @packageDocumentation
 */
export { Deque, type DequeOptions, type WaitOptions, type MoveOptions } from './deque';
export type { Side } from './plan';
export type { DequeTake, TransactValue, TransactPush, TransactDecision, TransactOutcome } from './transact';
export { waitFor } from './wait-through';
export type { DequeStats } from './engine';
export type { DequeOpKind, DequeOpMessage } from './tracing';
export { inspectDeque, type CombiningReport, type DequeReport, type DequeProblem } from './inspect';
export { DequeExistsError, DequeNotFoundError, DequePlacementError, DequePlacementUnknownError, DequeCorruptedError, DequeOutcomeUnknownError } from './errors';
export {
  connect,
  Store,
  type Entry,
  type Codec,
  msgpackCodec,
  rawCodec,
  jsonCodec,
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
  EncodeError,
  DecodeError,
  CodecMismatchError,
  McasCorruptionError,
  McasOutcomeUnknownError,
  McasContentionError,
  isLostReply,
  MAX_RELATIVE_TTL_SECONDS,
  type ConnectOptions,
} from '@mcc/mcas';
