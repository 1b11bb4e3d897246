/**
 * One worker process of `pnpm load queue`: a producer or a consumer of one
 * work queue (`--workers` concurrent loops), reporting over IPC every 100 ms.
 *
 * - A producer pushes jobs `{ n, poison }` in batches (`pushMany`) until the
 *   deadline; every id it reports was acknowledged by the queue.
 * - A redriver (one process) moves dead letters back into the queue with
 *   `redrive` (batches of `redriveMax`, every `redriveEveryMs`) until the
 *   deadline, reporting each new job id with the dead letter's.
 * - A consumer claims and acks. A "poison" job (1 in `poisonEvery`) is never
 *   acked: its lease expires and it is redelivered until it lands in the dead
 *   letters. With probability `crashProbability` per job a consumer
 *   "crashes": its loops stop where they are (holding claimed, unacked
 *   jobs), it reports what it holds, and SIGKILLs itself — a real kill
 *   between claim and ack. Reports sent before it are complete (each is
 *   flushed before the kill).
 */
import { connect, LeaseExpiredError, WorkQueue } from '@mcc/queue';

export interface QueueWorkerConfig {
  role: 'produce' | 'consume' | 'redrive';
  servers: string[];
  name: string;
  /** Producers: first job number, batch size, poison rate, deadline (epoch ms). */
  base: number;
  batch: number;
  poisonEvery: number;
  deadline: number;
  /** Redriver: jobs per `redrive` call, and the pause between calls. */
  redriveMax: number;
  redriveEveryMs: number;
  /** Consumers. */
  loops: number;
  crashProbability: number;
  maxClockSkewMs: number;
}

type Delivery = [id: string, delivery: number];

export interface QueueWorkerMessage {
  pushed?: [id: string, n: number, poison: boolean][];
  /** Dead letters put back: [new job id, the dead letter's id]. */
  redriven?: [id: string, from: string][];
  acked?: Delivery[];
  expired?: Delivery[];
  abandoned?: Delivery[];
  held?: Delivery[];
  crashed?: boolean;
  done?: boolean;
  error?: string;
}

const config = JSON.parse(process.argv[2]!) as QueueWorkerConfig;
const store = connect(config.servers, { requestTimeoutMs: 5000 });
const queue = WorkQueue.bind<{ n: number; poison: boolean }>(store, config.name, { maxClockSkewMs: config.maxClockSkewMs });
const outbox: Required<Pick<QueueWorkerMessage, 'pushed' | 'redriven' | 'acked' | 'expired' | 'abandoned'>> = { pushed: [], redriven: [], acked: [], expired: [], abandoned: [] };

function send(message: QueueWorkerMessage): Promise<void> {
  return new Promise((resolve) => process.send!(message, () => resolve()));
}

function flush(): Promise<void> {
  if (Object.values(outbox).every((list) => list.length === 0)) return Promise.resolve();
  const message = { ...outbox };
  outbox.pushed = [];
  outbox.redriven = [];
  outbox.acked = [];
  outbox.expired = [];
  outbox.abandoned = [];
  return send(message);
}

async function produce(): Promise<void> {
  for (let n = config.base; Date.now() < config.deadline; n += config.batch) {
    const values = Array.from({ length: config.batch }, (_, k) => ({ n: n + k, poison: config.poisonEvery > 0 && (n + k) % config.poisonEvery === 0 }));
    const ids = await queue.pushMany(values);
    ids.forEach((id, index) => outbox.pushed.push([id, values[index]!.n, values[index]!.poison]));
  }
}

async function redriveDeadLetters(): Promise<void> {
  while (Date.now() < config.deadline) {
    for (const job of await queue.redrive({ max: config.redriveMax })) outbox.redriven.push([job.id, job.from]);
    await new Promise((resolve) => setTimeout(resolve, config.redriveEveryMs));
  }
}

async function consume(): Promise<void> {
  let stopping = false;
  let dying = false;
  const held: Delivery[] = [];
  process.on('message', (message) => {
    if (message === 'stop') stopping = true;
  });
  const loop = async (): Promise<void> => {
    while (!stopping && !dying) {
      const job = await queue.claim({ waitMs: 100 });
      if (job === undefined) continue;
      if (dying) {
        held.push([job.id, job.deliveries]);
        return;
      }
      if (job.value.poison) {
        outbox.abandoned.push([job.id, job.deliveries]);
        continue;
      }
      if (Math.random() < config.crashProbability) {
        dying = true;
        held.push([job.id, job.deliveries]);
        return;
      }
      try {
        await job.ack();
        outbox.acked.push([job.id, job.deliveries]);
      } catch (error) {
        if (!(error instanceof LeaseExpiredError)) throw error;
        outbox.expired.push([job.id, job.deliveries]);
      }
    }
  };
  await Promise.all(Array.from({ length: config.loops }, loop));
  if (!dying) return;
  await flush();
  await send({ crashed: true, held });
  process.kill(process.pid, 'SIGKILL');
}

const flusher = setInterval(() => void flush(), 100);
const roles = { produce, consume, redrive: redriveDeadLetters } as const;
roles[config.role]()
  .then(async () => {
    clearInterval(flusher);
    await flush();
    await send({ done: true });
  })
  .catch(async (error: unknown) => {
    clearInterval(flusher);
    await send({ error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
    process.exitCode = 1;
  })
  .finally(async () => {
    await store.close();
    process.disconnect?.();
  });
