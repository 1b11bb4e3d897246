/**
 * @mcc/queue — a reliable, at-least-once work queue on plain memcached:
 * leases, acknowledgements, redelivery after expired leases, dead letters.
 * Lock-free and linearizable, with no lock server and no background
 * process. Re-exports what a user needs to connect, so `@mcc/queue` is the
 * only package to install.
 *
 * @packageDocumentation
 */
export { WorkQueue, type WorkQueueOptions, type ClaimOptions, type QueueStats } from './work-queue';
export { Job } from './job';
export type { DeadLetter } from './records';
export type { RedrivenJob, RedriveUnknown } from './redrive';
export type { SweepCounters } from './claimer';
export type { QueueOpKind, QueueOpMessage } from './tracing';
export type { SweepReport } from './sweep';
export { LeaseExpiredError, QueueExistsError, QueueNotFoundError, QueueCorruptedError } from './errors';
export {
  connect,
  Store,
  Deque,
  type ConnectOptions,
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
  EncodeError,
  DecodeError,
  CodecMismatchError,
  McasCorruptionError,
  McasOutcomeUnknownError,
  McasContentionError,
  DequeExistsError,
  DequeNotFoundError,
  DequePlacementError,
  DequePlacementUnknownError,
  DequeCorruptedError,
  DequeOutcomeUnknownError,
} from '@mcc/deque';
