/**
 * The sequential specification of one @mcc/queue `WorkQueue`: `push`,
 * `pushMany` (atomic, adjacent, in order), `claim` (the oldest ready job
 * with `deliveries` = its claims so far, or `null`), and settling one
 * delivery of a job — `ack` (idempotent), `nack` (back to the queue),
 * `extend` — with output `'ok'` or `'expired'` (LeaseExpiredError).
 *
 * Jobs are named by their values (the workload pushes unique values and
 * records `push` with output `null`: ids are random), deliveries by
 * (value, number).
 *
 * Time. The model has no clock. By default (`expiry: false`) leases never
 * expire: record histories with a lease far longer than the history
 * (the suite uses 10 minutes), and then a takeover, a redelivery without a
 * nack and a LeaseExpiredError are all violations. With `expiry: true` a
 * lease may expire at any instant (weaker: the model does not know when a
 * lease ends): a lease taken over is shown by its holder's `'expired'`, or by
 * a claim that gets the job with the next delivery number.
 *
 * What the queue allows that a plain FIFO would not, each resolved by what
 * was observed (the model stays deterministic, the search explores orders):
 *
 * - A nacked (or taken over) job goes back to the front of `ready` when a
 *   sweep of the lease log finds it — at some moment after the nack, not
 *   during it. Such jobs are kept aside (`back`); a claim may get one of
 *   them (it came back just before) or the head of `ready` (it has not come
 *   back yet). Their order among themselves is not checked; that they come
 *   back before everything in `ready`, with `deliveries + 1`, is.
 * - A claim whose reply was lost (open-ended), or one that resolved its
 *   unknown outcome as `null` (the claimer "hands out nothing"), may have
 *   leased a job to nobody: each such claim with something to take is a
 *   `ghost` (an open-ended one from its invocation: Model.resolveOpen —
 *   more ghosts never fail a step, so earlier is never worse), and a later
 *   claim may find up to `ghosts` jobs gone from the
 *   front of `ready` (those jobs are leased to no one; with `expiry` they
 *   come back later). With `lostClaims: false` (fault-free histories) a
 *   claim returns `null` only when nothing is ready, and there are no ghosts.
 * - `expireAll` is time jumping past every lease (the drain of the suite
 *   runs with its clock moved ahead by more than the lease): every delivery
 *   still leased — held by a client, or leased to nobody by a ghost — is
 *   taken over and its job comes back with the next delivery number. After
 *   it, a ghost's take shows as a job claimed with two more deliveries.
 * - A `claim` with `final: true` is the drain's last claim, made after
 *   every nack had time to be swept back: `null` is then allowed only if
 *   nothing is ready and nothing is waiting to come back: a job lost by the
 *   queue shows here (before an `expireAll`, ghosts may explain what is
 *   missing; after it, nothing does).
 *
 * `maxDeliveries`: a job coming back after that many claims goes to the
 * dead letters instead (counted in the state, not observable here).
 */
import type { HistoryOperation } from '../history';
import { canonicalJson, jsonEqual, type Model, valueNumbers } from '../model';
import { queueFeasibility } from './queue-feasibility';
import { ACKED, expireAll, LEASED, NACKED, type QueueJob, type QueueState, sendBack, stateKey, statusOf, TAKEN, withDelivery } from './queue-state';

export { type QueueJob, type QueueState } from './queue-state';

export type QueueInput<V = unknown> =
  | { readonly op: 'push'; readonly value: V }
  | { readonly op: 'pushMany'; readonly values: readonly V[] }
  | { readonly op: 'claim'; readonly final?: boolean }
  | { readonly op: 'expireAll' }
  | { readonly op: 'ack' | 'nack' | 'extend'; readonly value: V; readonly delivery: number };

/**
 * `null` for pushes; a claim's job (or `null`); `'ok'`/`'expired'` for ack,
 * nack, extend. Only the model gives `'settled'`, `'unclaimed'` (misuse the
 * library refuses locally) and `'jobs left'` (a final claim must find the
 * jobs still waiting): an observed output never matches them. `'ghost'`: an
 * open-ended claim, resolved (Model.resolveOpen).
 */
export type QueueOutput<V = unknown> = null | { readonly value: V; readonly deliveries: number } | 'ok' | 'expired' | 'settled' | 'unclaimed' | 'jobs left' | 'ghost';

export interface QueueModelOptions {
  /** Leases may expire at any moment (default false: leases outlive the history). */
  readonly expiry?: boolean;
  /** Claims may have lost replies (default true); false for fault-free histories: stricter. */
  readonly lostClaims?: boolean;
  /** As the queue's option; default Infinity (never dead-letter). */
  readonly maxDeliveries?: number;
}

/** A model of one work queue, empty at first; see the file comment. */
export function queueModel<V = unknown>(options: QueueModelOptions = {}): Model<QueueState<V>, QueueInput<V>, QueueOutput<V>> {
  const expiry = options.expiry ?? false;
  const lostClaims = options.lostClaims ?? true;
  const maxDeliveries = options.maxDeliveries ?? Infinity;
  const numberOf = valueNumbers();
  const fresh = (value: V): QueueJob<V> => [value, 0, numberOf(value)];

  /** The claim that got `job`, if the queue may hand it out now; null if not. */
  function claimOf(state: QueueState<V>, job: { value: V; deliveries: number }): QueueState<V> | null {
    // Delivery numbers are whole (the queue counts claims); any other one was never handed out.
    if (!Number.isInteger(job.deliveries)) return null;
    const number = numberOf(job.value);
    const lease = (s: QueueState<V>): QueueState<V> => withDelivery(s, job.value, number, job.deliveries, LEASED);
    // Leases of ghosts may expire (expiry), or have expired (after expireAll): then a ghost's take costs one more delivery.
    const ghostLeasesExpire = expiry || state.allExpired;
    const at = state.ready.findIndex((ready) => ready[2] === number);
    if (at >= 0) {
      const extra = job.deliveries - 1 - state.ready[at]![1];
      if ((extra === 0 || (extra === 1 && ghostLeasesExpire)) && at + extra <= state.ghosts) {
        // The jobs before it were leased to nobody by ghost claims (and, after expireAll, came back).
        let next: QueueState<V> = { ...state, ready: state.ready.slice(at + 1), ghosts: state.ghosts - at - extra };
        for (const [value, claims, skipped] of state.ready.slice(0, at)) {
          next = state.allExpired
            ? sendBack(withDelivery(next, value, skipped, claims + 1, TAKEN), value, skipped, claims + 1, maxDeliveries)
            : withDelivery(next, value, skipped, claims + 1, LEASED);
        }
        if (extra === 1) next = withDelivery(next, job.value, number, job.deliveries - 1, TAKEN);
        return lease(next);
      }
    }
    const back = state.back.findIndex((waiting) => waiting[2] === number);
    // A ghost may have leased it to nobody and that lease expired in turn: a later delivery number.
    if (back >= 0) {
      const skipped = job.deliveries - 1 - state.back[back]![1];
      if (skipped === 0 || (ghostLeasesExpire && skipped > 0 && skipped <= state.ghosts)) {
        return lease({ ...state, back: state.back.filter((_, index) => index !== back), ghosts: state.ghosts - skipped });
      }
    }
    // With expiry: the lease before this one expired and the claim took the job over.
    if (expiry && job.deliveries - 1 < maxDeliveries && statusOf(state, number, job.deliveries - 1) === LEASED) {
      return lease(withDelivery(state, job.value, number, job.deliveries - 1, TAKEN));
    }
    return null;
  }

  function claim(state: QueueState<V>, final: boolean, observed: QueueOutput<V> | undefined): { state: QueueState<V>; output: QueueOutput<V> } {
    const head = state.ready[0];
    const expected: QueueOutput<V> = head === undefined ? null : { value: head[0], deliveries: head[1] + 1 };
    const somethingToTake = state.ready.length > 0 || state.back.length > 0;
    if (observed === undefined || observed === 'ghost') {
      // Open-ended: it may have leased a job to nobody, at any moment after its invocation — a ghost from then on.
      return { state: lostClaims ? { ...state, ghosts: state.ghosts + 1 } : state, output: observed ?? expected };
    }
    if (observed === null || typeof observed !== 'object') {
      if (final) {
        const left = state.ready.length + state.back.length;
        if (left === 0 || (lostClaims && !state.allExpired && left <= state.ghosts)) return { state: { ...state, ready: [], back: [], ghosts: state.ghosts - left }, output: null };
        return { state, output: expected ?? 'jobs left' };
      }
      if (head === undefined) return { state: lostClaims && somethingToTake ? { ...state, ghosts: state.ghosts + 1 } : state, output: null };
      return lostClaims ? { state: { ...state, ghosts: state.ghosts + 1 }, output: null } : { state, output: expected };
    }
    const next = claimOf(state, observed);
    return next === null ? { state, output: expected } : { state: next, output: observed };
  }

  function settle(state: QueueState<V>, input: Extract<QueueInput<V>, { delivery: number }>, observed: QueueOutput<V> | undefined): { state: QueueState<V>; output: QueueOutput<V> } {
    const number = numberOf(input.value);
    const status = statusOf(state, number, input.delivery);
    const mark = (to: string): QueueState<V> => withDelivery(state, input.value, number, input.delivery, to);
    if (status === undefined) return { state, output: 'unclaimed' };
    if (status === TAKEN) return { state, output: 'expired' };
    if (status === LEASED && expiry && observed === 'expired') {
      // The lease expired and a sweeper took it over just before.
      return { state: sendBack(mark(TAKEN), input.value, number, input.delivery, maxDeliveries), output: 'expired' };
    }
    switch (input.op) {
      case 'ack':
        if (status === ACKED) return { state, output: 'ok' };
        if (status === NACKED) return { state, output: 'settled' };
        return { state: mark(ACKED), output: 'ok' };
      case 'nack':
        if (status === NACKED) return { state, output: 'ok' };
        if (status === ACKED) return { state, output: 'settled' };
        return { state: sendBack(mark(NACKED), input.value, number, input.delivery, maxDeliveries), output: 'ok' };
      case 'extend':
        return { state, output: status === LEASED ? 'ok' : 'settled' };
    }
  }

  return {
    name: `queue(${expiry ? 'leases may expire' : 'leases never expire'}${lostClaims ? '' : ', no lost claims'})`,
    init: () => ({ ready: [], back: [], deliveries: [], values: [], ghosts: 0, dead: 0, allExpired: false }),
    step(state, input, observed) {
      switch (input.op) {
        case 'push':
          return { state: { ...state, ready: [...state.ready, fresh(input.value)] }, output: null };
        case 'pushMany':
          return { state: { ...state, ready: [...state.ready, ...input.values.map(fresh)] }, output: null };
        case 'claim':
          return claim(state, input.final === true, observed);
        case 'expireAll':
          return { state: expireAll(state, maxDeliveries), output: null };
        default:
          return settle(state, input, observed);
      }
    },
    // The checker's default compares JSON; a claim's job by its number first (the same verdict: equal numbers, equal JSON).
    outputsEqual(modelOutput, observed) {
      if (modelOutput === observed) return true;
      if (modelOutput === null || observed === null || typeof modelOutput !== 'object' || typeof observed !== 'object') return false;
      if (modelOutput.deliveries !== observed.deliveries || numberOf(modelOutput.value) !== numberOf(observed.value)) return false;
      return jsonEqual(modelOutput, observed);
    },
    key: stateKey,
    // Without expiry an extension changes nothing; with it, an open-ended one may have lost to a takeover, which a later observation shows anyway.
    readOnly: (input) => input.op === 'extend',
    // A ghost only ever lets later claims find more missing, so an open-ended claim is best taken at once: one ghost from its invocation.
    resolveOpen: (input) => (input.op === 'claim' && lostClaims ? 'ghost' : undefined),
    needed: unseenOpenPushes,
    feasibility: (operations) => queueFeasibility(numberOf, lostClaims, operations),
    describeOperation(input, output) {
      const shown = output === undefined ? '?' : JSON.stringify(output);
      switch (input.op) {
        case 'push':
          return `push(${JSON.stringify(input.value)})${output === undefined ? ' ?' : ''}`;
        case 'pushMany':
          return `pushMany(${JSON.stringify(input.values)})${output === undefined ? ' ?' : ''}`;
        case 'claim':
          return `claim(${input.final === true ? 'final' : ''}) → ${shown}`;
        case 'expireAll':
          return 'expireAll()';
        default:
          return `${input.op}(${JSON.stringify(input.value)}#${input.delivery}) → ${shown}`;
      }
    },
    describeState(state) {
      const jobs = (list: readonly QueueJob<V>[]): string => JSON.stringify(list.map(([value, claims]) => [value, claims]));
      const leased: string[] = [];
      state.deliveries.forEach((statuses, job) => {
        for (let at = 0; at < (statuses?.length ?? 0); at++) if (statuses![at] === LEASED) leased.push(`${canonicalJson(state.values[job])}:${at + 1}`);
      });
      return `ready ${jobs(state.ready)}; coming back ${jobs(state.back)}; ghosts ${state.ghosts}; dead ${state.dead}; leased ${leased.join(' ') || '-'}`;
    },
  };
}

/**
 * An open-ended push none of whose values a claim with a response ever
 * returned is not needed. Leaving it out never hides a violation (an
 * open-ended operation may always not have happened); and it never makes
 * one: in a linearization where it happened, remove its jobs — no claim
 * with a response got them, so they were leased to nobody (a ghost's take:
 * the ghost then takes nothing) or were never claimed; every output stays
 * as it was (a `null` claim finds less, a final one as much as before, the
 * ghosts that covered them cover that much less).
 */
function unseenOpenPushes<V>(operations: readonly HistoryOperation<QueueInput<V>, QueueOutput<V>>[]): boolean[] {
  const seen = new Set<string>();
  for (const operation of operations) {
    const output = operation.output;
    if (operation.return !== null && output !== null && typeof output === 'object') seen.add(canonicalJson(output.value));
  }
  return operations.map((operation) => {
    const input = operation.input;
    if (operation.return !== null || (input.op !== 'push' && input.op !== 'pushMany')) return true;
    const values = input.op === 'push' ? [input.value] : input.values;
    return values.some((value) => seen.has(canonicalJson(value)));
  });
}
