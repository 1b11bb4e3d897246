/**
 * Errors of @mcc/queue. Each carries a stable `code`; match on it (or use
 * `McError.isMcError`) rather than on messages.
 */
import { McError } from '@mcc/deque';

/**
 * `ack`/`extend`/`nack` on a delivery whose lease expired and was taken
 * over by another consumer (who redelivers or dead-letters the job). The job
 * may run (or have run) twice: at-least-once delivery.
 */
export class LeaseExpiredError extends McError {
  static readonly code = 'MCC_ERR_LEASE_EXPIRED';
  readonly queue: string;
  readonly jobId: string;
  readonly delivery: number;
  constructor(queue: string, jobId: string, delivery: number, key: string) {
    super(LeaseExpiredError.code, `queue "${queue}": the lease of job ${jobId} (delivery ${delivery}) expired and was reclaimed by another consumer`, { key });
    this.queue = queue;
    this.jobId = jobId;
    this.delivery = delivery;
  }
}

/** `WorkQueue.create` with a name that is taken. */
export class QueueExistsError extends McError {
  static readonly code = 'MCC_ERR_QUEUE_EXISTS';
  readonly queue: string;
  constructor(queue: string, key: string) {
    super(QueueExistsError.code, `queue "${queue}" already exists`, { key });
    this.queue = queue;
  }
}

/** The queue's record is absent: never created, or lost with its server. */
export class QueueNotFoundError extends McError {
  static readonly code = 'MCC_ERR_QUEUE_NOT_FOUND';
  readonly queue: string;
  constructor(queue: string, key: string) {
    super(QueueNotFoundError.code, `queue "${queue}" does not exist (record ${key} is missing)`, { key });
    this.queue = queue;
  }
}

/** A record of the queue does not have the shape this version writes (another writer, or damage). Nothing is skipped. */
export class QueueCorruptedError extends McError {
  static readonly code = 'MCC_ERR_QUEUE_CORRUPTED';
  readonly queue: string;
  constructor(queue: string, key: string, reason: string) {
    super(QueueCorruptedError.code, `queue "${queue}" is corrupted: ${reason} (${key})`, { key });
    this.queue = queue;
  }
}
