/**
 * A client of several deques for recording histories: random operations
 * (both ends, extend, peeks, length, moveTo between the deques and within
 * one) with values unique to the client, each recorded with its outcome.
 *
 * The deques are typed structurally (`DequeHandle`), so this package needs
 * no dependency on @mcc/deque: pass `Deque` objects of one store.
 */
import type { HistoryRecorder } from '../history';
import type { DequeInput, DequeOutput, DequeSide } from '../models/deque-model';

/** What the workload calls on a deque (as @mcc/deque's `Deque`). */
export interface DequeHandle {
  append(value: number): Promise<void>;
  appendLeft(value: number): Promise<void>;
  extend(values: Iterable<number>): Promise<void>;
  extendLeft(values: Iterable<number>): Promise<void>;
  pop(): Promise<number | undefined>;
  popLeft(): Promise<number | undefined>;
  peek(): Promise<number | undefined>;
  peekLeft(): Promise<number | undefined>;
  length(): Promise<number>;
  moveTo(other: DequeHandle, options?: { from?: DequeSide; to?: DequeSide }): Promise<number | undefined>;
}

export type DequeRecorder = HistoryRecorder<DequeInput<number>, DequeOutput<number>>;

export interface DequeClientOptions {
  /** The client's id in the history; values are `client * 1e6 + n`, unique across clients. */
  readonly client: number;
  /** How many operations it issues, one after another. */
  readonly operations: number;
  /** Uniform in [0, 1): a seeded generator makes the sequence of inputs repeatable. */
  readonly random: () => number;
  /** Include moveTo (default true). */
  readonly moves?: boolean;
  /**
   * Weights of the operation kinds, over the default mix. `length` is 0 by
   * default: a length may count a value pushed with an unknown outcome that
   * nobody ever saw, which keeps such pushes in the search (see
   * dequeModel's `needed`) and makes histories with many lost replies slow
   * to check; give it a weight for histories with few.
   */
  readonly mix?: Partial<Record<DequeInput['op'], number>>;
  /** Pause after an error, ms (a cut connection is reconnecting); default 20. */
  readonly pauseAfterErrorMs?: number;
}

/** Operation kinds and their weights. */
const MIX: readonly [DequeInput['op'], number][] = [
  ['append', 16],
  ['appendLeft', 8],
  ['extend', 8],
  ['extendLeft', 4],
  ['pop', 12],
  ['popLeft', 12],
  ['moveTo', 30],
  ['length', 0],
  ['peek', 3],
  ['peekLeft', 3],
];

function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)]!;
}

/** A random input over the deques `names`; `nextValue` gives fresh values. */
export function randomDequeInput(
  random: () => number,
  names: readonly string[],
  nextValue: () => number,
  moves = true,
  weights: Partial<Record<DequeInput['op'], number>> = {},
): DequeInput<number> {
  const mix = MIX.map(([op, weight]): [DequeInput['op'], number] => [op, weights[op] ?? (op === 'moveTo' && !moves ? 0 : weight)]).filter(([, weight]) => weight > 0);
  const total = mix.reduce((sum, [, weight]) => sum + weight, 0);
  let roll = random() * total;
  let op: DequeInput['op'] = mix[0]![0];
  for (const [candidate, weight] of mix) {
    roll -= weight;
    if (roll < 0) {
      op = candidate;
      break;
    }
  }
  const deque = pick(random, names);
  switch (op) {
    case 'append':
    case 'appendLeft':
      return { op, deque, value: nextValue() };
    case 'extend':
    case 'extendLeft':
      return { op, deque, values: [nextValue(), nextValue()] };
    case 'moveTo': {
      // Mostly to another deque, sometimes a rotation of the same one.
      const target = random() < 0.85 ? pick(random, names.filter((name) => name !== deque).concat(names.length === 1 ? [deque] : [])) : deque;
      return { op, deque, target, from: pick(random, ['left', 'right'] as const), to: pick(random, ['left', 'right'] as const) };
    }
    default:
      return { op: op as 'pop', deque };
  }
}

function handle(deques: ReadonlyMap<string, DequeHandle>, name: string): DequeHandle {
  const deque = deques.get(name);
  if (deque === undefined) throw new RangeError(`no deque "${name}" in the workload`);
  return deque;
}

/** Runs one input against the deques; resolves with what the model calls its output. */
export async function executeDequeInput(deques: ReadonlyMap<string, DequeHandle>, input: DequeInput<number>): Promise<DequeOutput<number>> {
  const deque = handle(deques, input.deque);
  switch (input.op) {
    case 'append':
    case 'appendLeft':
      await deque[input.op](input.value);
      return null;
    case 'extend':
    case 'extendLeft':
      await deque[input.op](input.values);
      return null;
    case 'moveTo':
      return (await deque.moveTo(handle(deques, input.target), { from: input.from ?? 'right', to: input.to ?? 'left' })) ?? null;
    case 'clear':
      throw new RangeError('the workload does not clear');
    default:
      return (await deque[input.op]()) ?? null;
  }
}

/** One client: `operations` random operations in sequence, each recorded; errors are recorded, not thrown. */
export async function runDequeClient(deques: ReadonlyMap<string, DequeHandle>, recorder: DequeRecorder, options: DequeClientOptions): Promise<void> {
  const names = [...deques.keys()];
  let counter = 0;
  const nextValue = (): number => options.client * 1_000_000 + counter++;
  for (let index = 0; index < options.operations; index++) {
    const input = randomDequeInput(options.random, names, nextValue, options.moves ?? true, options.mix);
    try {
      await recorder.record(options.client, input, () => executeDequeInput(deques, input));
    } catch {
      await new Promise((resolve) => setTimeout(resolve, options.pauseAfterErrorMs ?? 20));
    }
  }
}

/** Pops every deque empty from the left, recorded as `client`: what is left must be explained too. */
export async function drainDeques(deques: ReadonlyMap<string, DequeHandle>, recorder: DequeRecorder, client: number): Promise<void> {
  for (const [name, deque] of deques) {
    for (;;) {
      const value = await recorder.record(client, { op: 'popLeft', deque: name }, async () => (await deque.popLeft()) ?? null);
      if (value === null) break;
    }
  }
}
