/**
 * @mcc/linearizability: the project's own linearizability checker (private).
 *
 *   record (HistoryRecorder, in any number of processes)
 *     → merge the operations (plain JSON, one machine-wide clock)
 *     → checkLinearizability(model, operations, bounds) → ok | violation | unknown
 *     → savePorcupineHistory(…) to look at it in Porcupine's visualizer
 *       (requireLinearizable: check, and save what fails, for tests)
 *
 * @packageDocumentation
 */
export { type ErrorOutcome, classifyError, classifyResolvedError, errorCode } from './outcome';
export { type HistoryWorkerMessage, runHistoryWorker } from './history-worker';
export { type HistoryOperation, type PendingOperation, type RecorderOptions, type RecorderStats, HistoryRecorder, monotonicMicros } from './history';
export { type Model, canonicalJson, jsonEqual } from './model';
export { type CheckOptions, type CheckResult, checkLinearizability } from './checker';
export { type RequireOptions, requireLinearizable } from './require-linearizable';
export { type DequeInput, type DequeOutput, type DequeSide, type DequeState, dequeModel } from './models/deque-model';
export { type QueueInput, type QueueJob, type QueueModelOptions, type QueueOutput, type QueueState, queueModel } from './models/queue-model';
export { type McasUpdateInput, type RegisterInput, type RegisterModelOptions, type RegisterOutput, type RegisterState, registerModel } from './models/register-model';
export {
  type PorcupineFile,
  type PorcupineOperation,
  type PorcupineUnknownOutput,
  type PorcupineVisualization,
  fromPorcupineOperations,
  savePorcupineHistory,
  toPorcupineFile,
  toPorcupineOperations,
  toPorcupineVisualization,
} from './porcupine';
export {
  type DequeClientOptions,
  type DequeHandle,
  type DequeRecorder,
  drainDeques,
  executeDequeInput,
  randomDequeInput,
  runDequeClient,
} from './workloads/deque-workload';
export {
  type RegisterApi,
  type RegisterClientOptions,
  type RegisterEntry,
  type RegisterRecorder,
  finalRead,
  runRegisterClient,
} from './workloads/register-workload';
export {
  type JobHandle,
  type QueueClientOptions,
  type QueueHandle,
  type QueueRecorder,
  drainQueue,
  recordClaim,
  recordSettle,
  runQueueClient,
} from './workloads/queue-workload';
