/**
 * `Deque.transact`: one atomic step over several deques — take values from
 * some ends, look at them, and push values (new ones, or the taken ones
 * themselves) onto any ends of the same deques. Everything commits at once
 * (one CAS when one deque is involved, one MCAS over the anchors otherwise)
 * or not at all: the building block of @mcc/queue (claim = take from
 * `ready`, push a lease onto `leases`), a generalization of `moveTo`.
 *
 *   read anchors ─▶ plan the takes ─need─▶ fetch chunks/values ─▶ …
 *        ▲              │
 *        │              ▼
 *        │       decide(taken values) ── undefined ──▶ 'aborted' (nothing written)
 *        │              │ pushes
 *        │              ▼
 *        │       plan takes + pushes ─▶ write flushed chunks ─▶ CAS / MCAS the anchors
 *        │                                                       │ applied ─▶ 'committed'
 *        └──────────────── an anchor changed ◀───────────────────┤
 *                                                                 │ reply lost ─▶ resolve (below)
 *
 * `decide` sees exactly what the commit will take, as of the anchors it is
 * committed against: so it can check that the deque's end still holds what
 * the caller inspected before (a conditional take) and abort otherwise.
 * It may be called several times (once per attempt) and must not have side
 * effects.
 *
 * Lost replies: every anchor written carries the attempt's batch id in its
 * window of recent ids. After a lost reply the anchors are read again
 * (helping any MCAS on them to its end): the id present means committed.
 * Absent, and the first anchor in MCAS key order unchanged, it is bumped
 * ("fenced") so the lost write can never apply late — an MCAS acquires its
 * locations in key order, so it can no longer succeed. If that cannot be
 * told (too many changes since), the outcome is 'unknown'.
 */
import { InvalidArgumentError, MAX_RELATIVE_TTL_SECONDS, McasContentionError, McasOutcomeUnknownError, compareKeys, isLostReply, mcas, type Store } from '@mcc/mcas';
import { RECENT_BATCHES, type Anchor } from './anchor';
import { isExternal, type Element } from './element';
import type { DequeEngine } from './engine';
import { buffersSize } from './prepare';
import { batchId as nextBatchId } from './ids';
import { planBatch, type Operation, type Plan, type Side } from './plan';
import { DequeRecords, type AnchorEntry } from './records';
import { dequeOpChannel, traceTransact } from './tracing';

/**
 * The descriptors of a deque's MCASes live 30 days, memcached's longest
 * relative TTL (mcas's default is a day). An MCAS whose originator died
 * midway (a move, a work queue's claim) stays in the anchors until the next
 * reader finishes it, and a deque may go unread for as long as its users are
 * away. A reference whose descriptor expired is corruption (mcas README): with
 * a day, a work queue whose consumers were all killed during a claim and
 * started again two days later would be reported corrupt, with nothing lost.
 */
const DESCRIPTOR_TTL_SECONDS = MAX_RELATIVE_TTL_SECONDS;

/** What to take from one deque: `count` values (fewer if it holds fewer) from one end. */
export interface DequeTake {
  readonly side: Side;
  readonly count: number;
}

/** A value to push: a new one, or the value taken at `keep: [step, index]` (moved as it is stored: a large value keeps its item). */
export type TransactValue = { readonly value: unknown } | { readonly keep: readonly [step: number, index: number] };

/** Values to push onto one end of the deque of step `step`, in order (onto the left end one at a time, like `extendLeft`). */
export interface TransactPush {
  readonly step: number;
  readonly side: Side;
  readonly values: readonly TransactValue[];
}

export interface TransactDecision<R> {
  readonly pushes: readonly TransactPush[];
  /** Handed back with the outcome. */
  readonly result: R;
}

export type TransactOutcome<R> =
  | { readonly status: 'committed'; readonly taken: readonly (readonly unknown[])[]; readonly result: R }
  | { readonly status: 'aborted' }
  /** The reply was lost and re-reading could not tell: it may or may not have applied. */
  | { readonly status: 'unknown'; readonly taken: readonly (readonly unknown[])[]; readonly result: R; readonly cause: unknown };

/** One deque of a transaction, as deque.ts hands it over. */
export interface TransactParticipant {
  readonly records: DequeRecords;
  /** Its engine: the flush size to plan with, and the cached anchor to start from (if uncontended) and to update after an MCAS. */
  readonly engine: Pick<DequeEngine, 'limits' | 'invalidate' | 'knownAnchor' | 'noteRace'>;
  /** Encodes new values as elements, large ones written to their own items first (nothing left behind if it throws). */
  readonly elements: (values: readonly unknown[]) => Promise<Element[]>;
  readonly take: DequeTake | undefined;
}

/**
 * What a caller may learn of the attempts (the engine counts them and owns
 * the back-off of its moves). Without `lost`, a lost race is followed by the
 * built-in full-jitter back-off.
 */
export interface TransactHooks {
  /** Before each (M)CAS of the anchors. */
  attempted?(): void;
  /** After a lost race: resolves when it is time to try again. */
  lost?(): Promise<void>;
  /** The (M)CAS applied. */
  won?(): void;
}

export interface TransactOptions {
  readonly hooks?: TransactHooks;
  /**
   * Leave the large values of taken elements that are pushed back (`keep`)
   * in their source's value cache, for the caller to take (a move hands its
   * element to the engine, which reads its value from there).
   */
  readonly handOver?: boolean;
}

/** A committed transaction's taken elements, per step (what `transactElements` adds to the outcome). */
export type TransactElements = readonly (readonly Element[])[];

/** Attempts (anchors changed under us) before giving up: each failure was another client's success. */
const MAX_ATTEMPTS = 1000;
/** Largest back-off after a lost race, ms. */
const MAX_BACKOFF_MS = 8;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export async function transact<R>(
  participants: readonly TransactParticipant[],
  decide: (taken: readonly (readonly unknown[])[]) => TransactDecision<R> | undefined,
  options: TransactOptions = {},
): Promise<TransactOutcome<R>> {
  if (!dequeOpChannel.hasSubscribers) return (await transactElements(participants, decide, options)).outcome;
  // Traced on mcc:deque:op as kind 'transact' (tracing.ts): its attempts counted through the hooks.
  let pushed = 0;
  const names = participants.map((participant) => participant.records?.name);
  return traceTransact(
    names,
    async (counts) => {
      const given = options.hooks ?? {};
      const hooks: TransactHooks = {
        attempted: () => (counts.attempts++, given.attempted?.()),
        won: () => given.won?.(),
        ...(given.lost === undefined ? {} : { lost: () => given.lost!() }),
      };
      const counted = (taken: readonly (readonly unknown[])[]): TransactDecision<R> | undefined => {
        const decision = decide(taken);
        pushed = decision === undefined ? 0 : decision.pushes.reduce((total, push) => total + push.values.length, 0);
        return decision;
      };
      const outcome = (await transactElements(participants, counted, { ...options, hooks })).outcome;
      counts.lost = Math.max(0, counts.attempts - (outcome.status === 'aborted' ? 0 : 1));
      return outcome;
    },
    (outcome) => (outcome.status === 'aborted' ? 0 : outcome.taken.reduce((total, values) => total + values.length, 0) + pushed),
  );
}

/** `transact`, also handing back the elements taken (empty unless committed or unknown). */
export async function transactElements<R>(
  participants: readonly TransactParticipant[],
  decide: (taken: readonly (readonly unknown[])[]) => TransactDecision<R> | undefined,
  options: TransactOptions = {},
): Promise<{ readonly outcome: TransactOutcome<R>; readonly elements: TransactElements }> {
  validate(participants);
  const hooks = options.hooks ?? {};
  const store = participants[0]!.records.store;
  const records = participants.map((participant) => participant.records);
  let lostRaces = 0;
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    // The first attempt starts from the engines' cached anchors when every deque looks uncontended
    // (its last CASes won): one round trip less; a stale one fails the (M)CAS and the retry reads.
    const known = attempt === 0 ? knownAnchors(participants) : null;
    const anchors = known ?? (await DequeRecords.readAnchors(records));
    const takes = await planTakes(participants, anchors);
    if (takes === null) continue;
    const taken = takes.map((elements, index) => elements.map((element) => valueOf(records[index]!, element)));
    const decision = decide(taken);
    // Only a CAS proves a cached anchor current: an abort (an empty take, a changed log) decided
    // on cached anchors is decided again on read ones (so is a commit leaving a deque unwritten, below).
    if (known !== null && decision === undefined) continue;
    if (decision === undefined) {
      // Large values fetched for the takes are not needed any more.
      takes.forEach((elements, step) => elements.forEach((element) => isExternal(element) && records[step]!.takeValue(element[1])));
      return { outcome: { status: 'aborted' }, elements: [] };
    }
    const created: string[] = [];
    const outcome = await commitAttempt(store, participants, anchors, known !== null, takes, decision, created, hooks).catch(async (error: unknown) => {
      dropItems(store, created);
      throw error;
    });
    if (outcome === 'retry' || outcome === 'lost') {
      dropItems(store, created);
      // A lost race is another client's success on the same anchors: retrying at once mostly loses
      // again. Full-jitter back-off spreads the contenders out (as mcasUpdate does).
      if (outcome === 'lost') await (hooks.lost?.() ?? sleep(Math.random() * Math.min(MAX_BACKOFF_MS, 2 ** lostRaces++ / 4)));
      continue;
    }
    if (outcome.status === 'not-applied') {
      dropItems(store, created);
      continue;
    }
    const result = { taken, result: decision.result };
    if (outcome.status === 'unknown') return { outcome: { status: 'unknown', ...result, cause: outcome.cause }, elements: takes };
    // Taken values not pushed back are gone for good: their large-value items with them.
    const kept = new Set(decision.pushes.flatMap((push) => push.values.flatMap((value) => ('keep' in value ? [`${value.keep[0]}:${value.keep[1]}`] : []))));
    takes.forEach((elements, step) => {
      elements.forEach((element, index) => {
        if (!isExternal(element)) return;
        const isKept = kept.has(`${step}:${index}`);
        if (!(isKept && options.handOver === true)) records[step]!.takeValue(element[1]);
        if (!isKept) dropItems(store, [element[1]]);
      });
      records[step]!.deleteEmptiedChunks(outcome.plans[step]!.emptiedChunks);
    });
    return { outcome: { status: 'committed', ...result }, elements: takes };
  }
  throw new McasContentionError(records[0]!.keys.anchor, MAX_ATTEMPTS, `Deque.transact: the anchors kept changing for ${MAX_ATTEMPTS} attempts`);
}

/** Every participant's cached anchor, or null if one has none (or looks contended). */
function knownAnchors(participants: readonly TransactParticipant[]): AnchorEntry[] | null {
  const known: AnchorEntry[] = [];
  for (const participant of participants) {
    const anchor = participant.engine.knownAnchor();
    if (anchor === null) return null;
    known.push(anchor);
  }
  return known;
}

function validate(participants: readonly TransactParticipant[]): void {
  if (participants.length === 0) throw new InvalidArgumentError('Deque.transact needs at least one deque');
  const anchors = new Set(participants.map((participant) => participant.records.keys.anchor));
  if (anchors.size !== participants.length) throw new InvalidArgumentError('Deque.transact: each deque may appear once');
  if (participants.some((participant) => participant.records.store !== participants[0]!.records.store)) {
    throw new InvalidArgumentError('Deque.transact needs every deque on the same store');
  }
  for (const { take } of participants) {
    if (take !== undefined && !(Number.isSafeInteger(take.count) && take.count >= 0)) throw new InvalidArgumentError(`Deque.transact: take count must be a non-negative integer, got ${String(take.count)}`);
  }
}

function takeOperations(take: DequeTake | undefined): Operation[] {
  return take === undefined ? [] : Array.from({ length: take.count }, () => ({ kind: 'pop' as const, side: take.side }));
}

function planOptions(participant: TransactParticipant, batchId: string): { batchId: string; flushBytes: number; sizeOf: typeof buffersSize } {
  return { batchId, flushBytes: participant.engine.limits.flushBytes, sizeOf: buffersSize };
}

/** The elements each take would remove from the anchors as read; null if a record had to be fetched and the anchor was stale. */
async function planTakes(participants: readonly TransactParticipant[], anchors: readonly AnchorEntry[]): Promise<Element[][] | null> {
  const takes: Element[][] = [];
  for (const [index, participant] of participants.entries()) {
    const anchor = anchors[index]!;
    for (;;) {
      const plan = planBatch(anchor.value, takeOperations(participant.take), participant.records.cacheFor(anchor), planOptions(participant, 'probe'));
      if (plan.kind === 'ready') {
        takes.push(plan.popped.filter((element): element is Element => element !== undefined));
        break;
      }
      if (!(await participant.records.fetch(anchor, plan.chunks, plan.values))) return null;
    }
  }
  return takes;
}

function valueOf(records: DequeRecords, element: Element): unknown {
  return isExternal(element) ? records.peekValue(element[1]) : records.decodeInline(element[1]);
}

type Ready = Extract<Plan, { kind: 'ready' }>;
type Attempt = 'retry' | 'lost' | { readonly status: 'applied'; readonly plans: readonly Ready[] } | { readonly status: 'not-applied' } | { readonly status: 'unknown'; readonly cause: unknown };

/** Plans takes + pushes on each anchor, writes flushes, commits. `created` collects new large-value items (dropped by the caller unless committed). */
async function commitAttempt(
  store: Store,
  participants: readonly TransactParticipant[],
  anchors: readonly AnchorEntry[],
  cached: boolean,
  takes: readonly Element[][],
  decision: TransactDecision<unknown>,
  created: string[],
  hooks: TransactHooks,
): Promise<Attempt> {
  const pushOperations: Operation[][] = participants.map(() => []);
  for (const push of decision.pushes) {
    if (!(Number.isSafeInteger(push.step) && push.step >= 0 && push.step < participants.length)) throw new InvalidArgumentError(`Deque.transact: push to unknown step ${String(push.step)}`);
    pushOperations[push.step]!.push({ kind: 'push', side: push.side, elements: await elementsFor(participants[push.step]!, takes, push.values, created) });
  }
  const batchId = nextBatchId();
  const plans: Ready[] = [];
  for (const [index, participant] of participants.entries()) {
    const anchor = anchors[index]!;
    const operations = [...takeOperations(participant.take), ...pushOperations[index]!];
    const plan = planBatch(anchor.value, operations, participant.records.cacheFor(anchor), planOptions(participant, batchId));
    // Same anchor, same cache: the takes plan as before, and pushes never need a fetch.
    if (plan.kind === 'need') return 'retry';
    plans.push(plan);
  }
  const written = await Promise.all(participants.map((participant, index) => participant.records.writeFlushes(anchors[index]!, plans[index]!.flushes)));
  if (!written.every(Boolean)) return 'retry';
  const updates = plans.flatMap((plan, index) => (plan.changed ? [[anchors[index]!, plan.anchor] as const] : []));
  // Only a CAS proves a cached anchor current, so on cached anchors every deque must be written:
  // one left unchanged (an empty take, nothing pushed) was decided on what may be stale — read them.
  if (cached && updates.length < participants.length) return 'retry';
  // Nothing to write: the anchors as read are the linearization point.
  if (updates.length === 0) return { status: 'applied', plans };
  hooks.attempted?.();
  try {
    // What the MCAS (or the single CAS) wrote itself, as entries with their CAS ids: the engines keep them.
    const written = new Map<string, AnchorEntry>();
    // `retrying`: a lost race is followed by a read of the anchors (through mcasGet) anyway.
    const applied = await mcas(store, updates, {
      onWritten: (entry) => written.set(entry.key, entry as AnchorEntry),
      retrying: true,
      descriptorTtlSeconds: DESCRIPTOR_TTL_SECONDS,
    });
    for (const [index, participant] of participants.entries()) {
      const key = anchors[index]!.key;
      if (plans[index]!.changed) participant.engine.noteRace(applied);
      participant.engine.invalidate(applied ? (written.get(key) ?? null) : null);
    }
    if (applied) hooks.won?.();
    return applied ? { status: 'applied', plans } : 'lost';
  } catch (error) {
    for (const participant of participants) participant.engine.invalidate();
    if (!isOutcomeOpen(error)) throw error;
    const touched = updates.map(([anchor]) => anchor);
    const resolved = await resolveLost(participants, touched, batchId).catch(() => 'unknown' as const);
    if (resolved === 'applied') return { status: 'applied', plans };
    if (resolved === 'not-applied') return { status: 'not-applied' };
    return { status: 'unknown', cause: error };
  }
}

/** The elements of one push: kept ones as taken, new ones encoded together (their large-value items recorded in `created`). */
async function elementsFor(participant: TransactParticipant, takes: readonly Element[][], items: readonly TransactValue[], created: string[]): Promise<Element[]> {
  const fresh = items.flatMap((item) => ('keep' in item ? [] : [item.value]));
  const encoded = fresh.length === 0 ? [] : await participant.elements(fresh);
  for (const element of encoded) if (isExternal(element)) created.push(element[1]);
  let next = 0;
  return items.map((item) => {
    if (!('keep' in item)) return encoded[next++]!;
    const [step, index] = item.keep;
    const element = takes[step]?.[index];
    if (element === undefined) throw new InvalidArgumentError(`Deque.transact: nothing was taken at [${step}, ${index}]`);
    return element;
  });
}

/** After these, a write may or may not have applied: a lost reply, or an MCAS whose outcome is open. */
export function isOutcomeOpen(error: unknown): boolean {
  return isLostReply(error) || (typeof error === 'object' && error !== null && (error as { code?: unknown }).code === McasOutcomeUnknownError.code);
}

/** Whether the write of batch `batchId` over the `touched` anchors applied; see the file comment. */
async function resolveLost(participants: readonly TransactParticipant[], touched: readonly AnchorEntry[], batchId: string): Promise<'applied' | 'not-applied' | 'unknown'> {
  const first = [...touched].sort((x, y) => compareKeys(x.key, y.key))[0]!;
  const records = participants.map((participant) => participant.records);
  const firstRecords = records.find((record) => record.keys.anchor === first.key)!;
  for (let attempt = 0; attempt < 5; attempt++) {
    if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 50 * attempt));
    const current = await DequeRecords.readAnchors(records).catch(() => null);
    if (current === null) continue;
    if (current.some((anchor) => anchor.value.o.includes(batchId))) return 'applied';
    const now = current[records.indexOf(firstRecords)]!;
    if (now.cas !== first.cas) {
      // Changed by others; had ours applied, its id would still be in the window.
      return now.value.s - first.value.s < RECENT_BATCHES ? 'not-applied' : 'unknown';
    }
    const fence: Anchor = { ...now.value, s: now.value.s + 1, o: [...now.value.o, nextBatchId()].slice(-RECENT_BATCHES) };
    const fenced = await firstRecords.store.cas(now, fence, { kind: now.kind }).catch(() => null);
    if (fenced !== null) return 'not-applied';
  }
  return 'unknown';
}

function dropItems(store: Store, keys: readonly string[]): void {
  for (const key of keys) void store.deleteQuiet(key).catch(() => {});
}
