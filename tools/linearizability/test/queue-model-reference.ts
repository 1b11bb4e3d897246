/**
 * The reference for test/queue-feasibility-differential.test.ts: the queue
 * model as it was before its state was made cheap (numbers, status letters:
 * src/models/queue-state.ts) and it got a feasibility test — values as
 * canonical JSON, every delivery in a sorted list, the whole state as JSON
 * for its key. Kept unchanged so that any change of verdict, or of the plain
 * search's steps, shows. Its original comment follows.
 *
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
import type { HistoryOperation } from '../src/history';
import { canonicalJson, type Model } from '../src/model';

type QueueInput<V = unknown> =
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
type QueueOutput<V = unknown> = null | { readonly value: V; readonly deliveries: number } | 'ok' | 'expired' | 'settled' | 'unclaimed' | 'jobs left' | 'ghost';

type DeliveryStatus = 'leased' | 'acked' | 'nacked' | 'taken';

interface QueueState<V = unknown> {
  /** Claimable jobs in order: [value, claims so far]. */
  readonly ready: readonly (readonly [V, number])[];
  /** Nacked or taken-over jobs not yet swept back (sorted by key): [value, claims so far]. */
  readonly back: readonly (readonly [V, number])[];
  /** Every delivery: key `value:delivery` (canonical JSON of the value) → status. Sorted by key. */
  readonly deliveries: readonly (readonly [string, DeliveryStatus])[];
  /** Claims that may have leased a job to nobody, not yet accounted for. */
  readonly ghosts: number;
  readonly dead: number;
  /** After an `expireAll`. */
  readonly allExpired: boolean;
}

interface QueueModelOptions {
  /** Leases may expire at any moment (default false: leases outlive the history). */
  readonly expiry?: boolean;
  /** Claims may have lost replies (default true); false for fault-free histories: stricter. */
  readonly lostClaims?: boolean;
  /** As the queue's option; default Infinity (never dead-letter). */
  readonly maxDeliveries?: number;
}

const deliveryKey = (value: unknown, delivery: number): string => `${canonicalJson(value)}:${delivery}`;

function withDelivery<V>(state: QueueState<V>, key: string, status: DeliveryStatus): QueueState<V> {
  const deliveries = state.deliveries.filter(([k]) => k !== key).concat([[key, status]]);
  deliveries.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return { ...state, deliveries };
}

function statusOf(state: QueueState, key: string): DeliveryStatus | undefined {
  return state.deliveries.find(([k]) => k === key)?.[1];
}

/** The job of delivery `delivery` goes back (or to the dead letters): after a nack or a takeover. */
function sendBack<V>(state: QueueState<V>, value: V, delivery: number, maxDeliveries: number): QueueState<V> {
  if (delivery >= maxDeliveries) return { ...state, dead: state.dead + 1 };
  const back = [...state.back, [value, delivery] as const].sort((a, b) => (canonicalJson(a) < canonicalJson(b) ? -1 : 1));
  return { ...state, back };
}

/** Every lease still held is taken over: its job comes back. */
function expireAll<V>(state: QueueState<V>, maxDeliveries: number): QueueState<V> {
  let next: QueueState<V> = { ...state, allExpired: true };
  for (const [key, status] of state.deliveries) {
    if (status !== 'leased') continue;
    const split = key.lastIndexOf(':');
    const value = JSON.parse(key.slice(0, split)) as V;
    const delivery = Number(key.slice(split + 1));
    next = sendBack(withDelivery(next, key, 'taken'), value, delivery, maxDeliveries);
  }
  return next;
}

/** A model of one work queue, empty at first; see the file comment. */
export function referenceQueueModel<V = unknown>(options: QueueModelOptions = {}): Model<QueueState<V>, QueueInput<V>, QueueOutput<V>> {
  const expiry = options.expiry ?? false;
  const lostClaims = options.lostClaims ?? true;
  const maxDeliveries = options.maxDeliveries ?? Infinity;
  const same = (a: V, b: V): boolean => canonicalJson(a) === canonicalJson(b);

  /** The claim that got `job`, if the queue may hand it out now; null if not. */
  function claimOf(state: QueueState<V>, job: { value: V; deliveries: number }): QueueState<V> | null {
    const lease = (s: QueueState<V>): QueueState<V> => withDelivery(s, deliveryKey(job.value, job.deliveries), 'leased');
    // Leases of ghosts may expire (expiry), or have expired (after expireAll): then a ghost's take costs one more delivery.
    const ghostLeasesExpire = expiry || state.allExpired;
    const at = state.ready.findIndex(([value]) => same(value, job.value));
    if (at >= 0) {
      const extra = job.deliveries - 1 - state.ready[at]![1];
      if ((extra === 0 || (extra === 1 && ghostLeasesExpire)) && at + extra <= state.ghosts) {
        // The jobs before it were leased to nobody by ghost claims (and, after expireAll, came back).
        let next: QueueState<V> = { ...state, ready: state.ready.slice(at + 1), ghosts: state.ghosts - at - extra };
        for (const [value, claims] of state.ready.slice(0, at)) {
          next = state.allExpired ? sendBack(withDelivery(next, deliveryKey(value, claims + 1), 'taken'), value, claims + 1, maxDeliveries) : withDelivery(next, deliveryKey(value, claims + 1), 'leased');
        }
        if (extra === 1) next = withDelivery(next, deliveryKey(job.value, job.deliveries - 1), 'taken');
        return lease(next);
      }
    }
    const back = state.back.findIndex(([value]) => same(value, job.value));
    // A ghost may have leased it to nobody and that lease expired in turn: a later delivery number.
    if (back >= 0) {
      const skipped = job.deliveries - 1 - state.back[back]![1];
      if (skipped === 0 || (ghostLeasesExpire && skipped > 0 && skipped <= state.ghosts)) {
        return lease({ ...state, back: state.back.filter((_, index) => index !== back), ghosts: state.ghosts - skipped });
      }
    }
    // With expiry: the lease before this one expired and the claim took the job over.
    if (expiry && job.deliveries - 1 < maxDeliveries && statusOf(state, deliveryKey(job.value, job.deliveries - 1)) === 'leased') {
      return lease(withDelivery(state, deliveryKey(job.value, job.deliveries - 1), 'taken'));
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
    const key = deliveryKey(input.value, input.delivery);
    const status = statusOf(state, key);
    if (status === undefined) return { state, output: 'unclaimed' };
    if (status === 'taken') return { state, output: 'expired' };
    if (status === 'leased' && expiry && observed === 'expired') {
      // The lease expired and a sweeper took it over just before.
      return { state: sendBack(withDelivery(state, key, 'taken'), input.value, input.delivery, maxDeliveries), output: 'expired' };
    }
    switch (input.op) {
      case 'ack':
        if (status === 'acked') return { state, output: 'ok' };
        if (status === 'nacked') return { state, output: 'settled' };
        return { state: withDelivery(state, key, 'acked'), output: 'ok' };
      case 'nack':
        if (status === 'nacked') return { state, output: 'ok' };
        if (status === 'acked') return { state, output: 'settled' };
        return { state: sendBack(withDelivery(state, key, 'nacked'), input.value, input.delivery, maxDeliveries), output: 'ok' };
      case 'extend':
        return { state, output: status === 'leased' ? 'ok' : 'settled' };
    }
  }

  return {
    name: `queue(${expiry ? 'leases may expire' : 'leases never expire'}${lostClaims ? '' : ', no lost claims'})`,
    init: () => ({ ready: [], back: [], deliveries: [], ghosts: 0, dead: 0, allExpired: false }),
    step(state, input, observed) {
      switch (input.op) {
        case 'push':
          return { state: { ...state, ready: [...state.ready, [input.value, 0]] }, output: null };
        case 'pushMany':
          return { state: { ...state, ready: [...state.ready, ...input.values.map((value) => [value, 0] as const)] }, output: null };
        case 'claim':
          return claim(state, input.final === true, observed);
        case 'expireAll':
          return { state: expireAll(state, maxDeliveries), output: null };
        default:
          return settle(state, input, observed);
      }
    },
    key: (state) => JSON.stringify(state),
    // Without expiry an extension changes nothing; with it, an open-ended one may have lost to a takeover, which a later observation shows anyway.
    readOnly: (input) => input.op === 'extend',
    // A ghost only ever lets later claims find more missing, so an open-ended claim is best taken at once: one ghost from its invocation.
    resolveOpen: (input) => (input.op === 'claim' && lostClaims ? 'ghost' : undefined),
    needed: unseenOpenPushes,
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
    describeState: (state) =>
      `ready ${JSON.stringify(state.ready)}; coming back ${JSON.stringify(state.back)}; ghosts ${state.ghosts}; dead ${state.dead}; ` +
      `leased ${state.deliveries.filter(([, status]) => status === 'leased').map(([key]) => key).join(' ') || '-'}`,
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
