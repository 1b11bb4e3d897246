/**
 * The linearizability checker: Wing & Gong's search ("Testing and verifying
 * concurrent objects", 1993) in Lowe's form ("Testing for linearizability",
 * 2017), with his memoization — the same algorithm as Porcupine and Knossos'
 * `wgl`.
 *
 * The history becomes one list of call and return entries in time order
 * (a call before a return at the same instant: touching operations count as
 * concurrent). The candidates for the next linearization point are the
 * calls before the first return still in the list. The search tries them
 * one by one — earliest return first, see candidatesOf — and where the
 * model gives the observed output it removes that operation's call and
 * return from the list and goes one level deeper; when no candidate fits it
 * backtracks: undo the last linearized operation and try the next candidate
 * of its level. The history is linearizable when every operation with a
 * response has been linearized.
 *
 * Open-ended operations (outcome unknown) have a call and no return: they
 * can be linearized anywhere after their invocation, with any output, and
 * are never required — "never happened" is the same as "happened after
 * everything else".
 *
 * Memo: a (set of linearized operations, model state) pair seen before
 * leads to the same future; the search skips it. A model's feasibility
 * test (Model.feasibility, a necessary condition for the pending operations
 * to fit) drops a new state before that, without keeping it. A step bound and a time
 * bound end the search with 'unknown' rather than hanging.
 *
 * Two restrictions of where open-ended operations go, each sound because any
 * linearization can be rewritten into one that obeys it (same outputs, same
 * real-time order), and because it depends only on the (set, state) pair,
 * so the memo still decides futures:
 * - twins (equal inputs) are linearized in invocation order (open-twins.ts);
 * - an open-ended operation is never linearized where its step leaves the
 *   state as it was (equal memo keys mean equal states): in a
 *   linearization, delete such a step — no state or output changes, and an
 *   open-ended operation is never required — and what is left obeys the
 *   rule. (A lost `moveTo` or `pop` of an empty deque, a rotation of one
 *   element: taken, it only removes the chance to take it later.)
 */
import type { HistoryOperation } from './history';
import { jsonEqual, type Model } from './model';
import { earlierTwins } from './open-twins';

export interface CheckOptions {
  /** Most search steps before giving up with 'unknown'; default 5,000,000. */
  readonly maxSteps?: number;
  /** Most milliseconds before giving up with 'unknown'; default 10,000. */
  readonly timeoutMs?: number;
  /**
   * Bounds of a second search when the first gives up: a history with many
   * open-ended or long operations can need far more search than most (one
   * combining history took 17.9 M steps). A violation is final at once.
   * Default: none.
   */
  readonly retry?: Omit<CheckOptions, 'retry' | 'openReductions'>;
  /**
   * Whether the search applies its two restrictions on open-ended
   * operations (twins in call order, no step that changes nothing; see the
   * file comment). They never change a verdict; default true — false only to
   * compare against the plain search (the differential tests).
   */
  readonly openReductions?: boolean;
}

export type CheckResult =
  | {
      readonly kind: 'ok';
      /** Indexes of the operations in linearization order (open-ended ones that took effect included). */
      readonly linearization: readonly number[];
      readonly steps: number;
    }
  | {
      readonly kind: 'violation';
      /** The longest linearizable prefix the search found, as operation indexes. */
      readonly longestPrefix: readonly number[];
      readonly steps: number;
    }
  | { readonly kind: 'unknown'; readonly reason: string; readonly steps: number };

interface Node {
  /** Operation index; -1 for the head. */
  readonly op: number;
  readonly isCall: boolean;
  /** For a call: its return, null when open-ended. */
  match: Node | null;
  prev: Node | null;
  next: Node | null;
}

const DEFAULT_MAX_STEPS = 5_000_000;
const DEFAULT_TIMEOUT_MS = 10_000;
/** Steps between clock reads. */
const CLOCK_EVERY = 4096;

/** Checks `operations` against `model`; see the file comment. */
export function checkLinearizability<S, I, O>(model: Model<S, I, O>, history: readonly HistoryOperation<I, O>[], options: CheckOptions = {}): CheckResult {
  // Search the operations that can matter; report indexes into `history`.
  const kept = history.map((_, index) => index).filter(pruner(model, history));
  const operations = kept.map((index) => resolved(model, history[index]!));
  const reduce = options.openReductions !== false;
  let result = search(model, operations, options, reduce);
  if (result.kind === 'unknown' && options.retry !== undefined) result = search(model, operations, options.retry, reduce);
  const original = (indexes: readonly number[]): number[] => indexes.map((index) => kept[index]!);
  if (result.kind === 'ok') return { ...result, linearization: original(result.linearization) };
  if (result.kind === 'violation') return { ...result, longestPrefix: original(result.longestPrefix) };
  return result;
}

/** Which operations the search needs: open-ended read-only ones never matter; the model may drop more (Model.needed). */
function pruner<S, I, O>(model: Model<S, I, O>, history: readonly HistoryOperation<I, O>[]): (index: number) => boolean {
  const needed = model.needed?.(history);
  return (index) => {
    const operation = history[index]!;
    if (operation.return === null && model.readOnly?.(operation.input) === true) return false;
    return needed === undefined || needed[index] !== false;
  };
}

/** An open-ended operation the model resolves (Model.resolveOpen): returned at its invocation with that output. */
function resolved<S, I, O>(model: Model<S, I, O>, operation: HistoryOperation<I, O>): HistoryOperation<I, O> {
  if (operation.return !== null) return operation;
  const output = model.resolveOpen?.(operation.input);
  return output === undefined ? operation : { ...operation, return: operation.call, output };
}

function search<S, I, O>(model: Model<S, I, O>, operations: readonly HistoryOperation<I, O>[], options: CheckOptions, reduce: boolean): CheckResult {
  const maxSteps = options.maxSteps ?? DEFAULT_MAX_STEPS;
  const deadline = Date.now() + (options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  const equal = model.outputsEqual?.bind(model) ?? jsonEqual;
  const head = buildList(operations);
  const definite = operations.filter((operation) => operation.return !== null).length;
  const linearized = new Uint32Array(Math.ceil(operations.length / 32) + 1);
  const memo = new Memo();
  const feasible = model.feasibility?.(operations);
  const pending = (op: number): boolean => (linearized[op >>> 5]! & (1 << (op & 31))) === 0;
  const stack: { node: Node; state: S; stateKey: string; candidates: readonly Node[]; tried: number }[] = [];
  const twins = reduce ? earlierTwins(operations) : new Int32Array(operations.length).fill(-1);
  const byDeadline = (a: Node, b: Node): number => returnOf(operations, a) - returnOf(operations, b) || operations[a.op]!.call - operations[b.op]!.call;
  let longest: number[] = [];
  let done = 0;
  let state = model.init();
  let stateKey = model.key(state);
  let candidates: readonly Node[] = candidatesOf(head, byDeadline);
  let tried = 0;
  for (let steps = 0; ; steps++) {
    if (done === definite) return { kind: 'ok', linearization: stack.map(({ node }) => node.op), steps };
    if (steps >= maxSteps) return { kind: 'unknown', reason: `gave up after ${steps} search steps`, steps };
    if (steps % CLOCK_EVERY === 0 && Date.now() > deadline) return { kind: 'unknown', reason: `gave up after ${options.timeoutMs ?? DEFAULT_TIMEOUT_MS} ms (${steps} steps)`, steps };
    if (tried < candidates.length) {
      const entry = candidates[tried++]!;
      const operation = operations[entry.op]!;
      const open = operation.return === null;
      // Open-ended twins in invocation order only (see open-twins.ts).
      if (open && twins[entry.op]! >= 0 && pending(twins[entry.op]!)) continue;
      const next = model.step(state, operation.input, open ? undefined : operation.output);
      if (!open && !equal(next.output, operation.output as O)) continue;
      let nextKey = open && reduce ? model.key(next.state) : undefined;
      // An open-ended operation that changes nothing here is dominated by leaving it pending: see the file comment.
      if (nextKey === stateKey) continue;
      toggle(linearized, entry.op);
      // A state the model's test refuses has no future: not kept in the memo (the test is as cheap as its key, and memory is the bound).
      if (feasible !== undefined && !feasible(next.state, pending, entry.op)) {
        toggle(linearized, entry.op);
        continue;
      }
      nextKey ??= model.key(next.state);
      const key = `${bitsKey(linearized)}|${nextKey}`;
      if (memo.has(key)) {
        toggle(linearized, entry.op);
        continue;
      }
      memo.add(key);
      stack.push({ node: entry, state, stateKey, candidates, tried });
      state = next.state;
      stateKey = nextKey;
      if (operation.return !== null) done += 1;
      lift(entry);
      if (stack.length > longest.length) longest = stack.map(({ node }) => node.op);
      candidates = candidatesOf(head, byDeadline);
      tried = 0;
      continue;
    }
    // Every candidate here failed: undo the last choice and try the next candidate at its level.
    const top = stack.pop();
    if (top === undefined) return { kind: 'violation', longestPrefix: longest, steps };
    state = top.state;
    stateKey = top.stateKey;
    toggle(linearized, top.node.op);
    if (operations[top.node.op]!.return !== null) done -= 1;
    unlift(top.node);
    candidates = top.candidates;
    tried = top.tried;
  }
}

/**
 * The operations that may be linearized next: the calls before the first
 * return still in the list (an operation called after some operation
 * returned cannot take effect before it), earliest return first. Any order
 * gives the same verdict — the search tries them all before it backtracks —
 * but this one finds a linearization far sooner when some operations are
 * long: one that returns late can wait, one about to return cannot, and an
 * operation tried first at every level that belongs late in the order sends
 * the search down a deep wrong branch each time. Measured on recorded
 * histories of 10 callers (deque contention test, 60 operations, some of
 * them starved for 50–120 ms among 1 ms ones): 14 million steps became
 * 12,842, and two the call-order search could not decide in 4 GB of memo
 * took 60 and 13,376 steps.
 */
function candidatesOf(head: Node, byDeadline: (a: Node, b: Node) => number): Node[] {
  const candidates: Node[] = [];
  for (let entry = head.next; entry !== null && entry.isCall; entry = entry.next) candidates.push(entry);
  return candidates.sort(byDeadline);
}

/** When an operation returned; open-ended ones (never required) last. */
function returnOf(operations: readonly HistoryOperation<unknown, unknown>[], call: Node): number {
  return operations[call.op]!.return ?? Infinity;
}

/**
 * The memo's keys, in as many Sets as it takes: one V8 Set holds at most
 * 2^24 entries and throws a RangeError beyond (seen on a combining deque
 * history past 16.7 M memo entries), and a search with a large step bound
 * must end in a verdict or 'unknown', not a crash.
 */
class Memo {
  static readonly #PER_SET = 1 << 23;
  readonly #sets = [new Set<string>()];

  has(key: string): boolean {
    return this.#sets.some((set) => set.has(key));
  }

  add(key: string): void {
    let last = this.#sets[this.#sets.length - 1]!;
    if (last.size >= Memo.#PER_SET) this.#sets.push((last = new Set<string>()));
    last.add(key);
  }
}

/** The set of linearized operations as a short string: two characters per 32 operations. */
function bitsKey(bits: Uint32Array): string {
  let key = '';
  for (const word of bits) key += String.fromCharCode(word & 0xffff, word >>> 16);
  return key;
}

function toggle(bits: Uint32Array, index: number): void {
  bits[index >>> 5]! ^= 1 << (index & 31);
}

/** The history as a doubly linked list of entries in time order, behind a head node. */
function buildList(operations: readonly HistoryOperation<unknown, unknown>[]): Node {
  const events: { time: number; isCall: boolean; node: Node }[] = [];
  operations.forEach((operation, op) => {
    const call: Node = { op, isCall: true, match: null, prev: null, next: null };
    events.push({ time: operation.call, isCall: true, node: call });
    if (operation.return !== null) {
      if (operation.return < operation.call) throw new RangeError(`operation ${op} returns (${operation.return}) before it is called (${operation.call})`);
      call.match = { op, isCall: false, match: null, prev: null, next: null };
      events.push({ time: operation.return, isCall: false, node: call.match });
    }
  });
  events.sort((a, b) => a.time - b.time || Number(b.isCall) - Number(a.isCall));
  const head: Node = { op: -1, isCall: false, match: null, prev: null, next: null };
  let last = head;
  for (const { node } of events) {
    node.prev = last;
    last.next = node;
    last = node;
  }
  return head;
}

/** Takes a call and its return out of the list (their own links are kept, for unlift). */
function lift(call: Node): void {
  unlink(call);
  if (call.match !== null) unlink(call.match);
}

/** Puts back what lift took out, in reverse order. */
function unlift(call: Node): void {
  if (call.match !== null) relink(call.match);
  relink(call);
}

function unlink(node: Node): void {
  node.prev!.next = node.next;
  if (node.next !== null) node.next.prev = node.prev;
}

function relink(node: Node): void {
  node.prev!.next = node;
  if (node.next !== null) node.next.prev = node;
}
