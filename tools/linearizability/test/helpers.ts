import type { DequeInput, DequeOutput, DequeState, HistoryOperation, Model } from '../src';

/** An operation that returned `output` (times in µs). */
export function done<I, O>(client: number, call: number, ret: number, input: I, output: O): HistoryOperation<I, O> {
  return { client, input, call, return: ret, output };
}

/** An open-ended operation (outcome unknown), invoked at `call`. */
export function open<I, O = never>(client: number, call: number, input: I): HistoryOperation<I, O> {
  return { client, input, call, return: null, error: 'MCC_ERR_CONNECTION_CLOSED' };
}

/** mulberry32: a seeded generator, so a failure can be replayed. */
export function generator(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Whether `order` (a checker's linearization) replays through `model` with
 * every observed output, takes every operation that returned, and respects
 * real time — checked apart from the search that found it.
 */
export function replays<S, I, O>(model: Model<S, I, O>, operations: readonly HistoryOperation<I, O>[], order: readonly number[]): boolean {
  let state = model.init();
  for (const index of order) {
    const operation = operations[index]!;
    const next = model.step(state, operation.input, operation.return === null ? undefined : operation.output);
    if (operation.return !== null && JSON.stringify(next.output) !== JSON.stringify(operation.output)) return false;
    state = next.state;
  }
  const position = new Map(order.map((index, at) => [index, at]));
  const everyDefinite = operations.every((operation, index) => operation.return === null || position.has(index));
  const inRealTime = order.every((later, at) => order.slice(at + 1).every((after) => (operations[after]!.return ?? Infinity) >= operations[later]!.call));
  return everyDefinite && inRealTime;
}

type DequeOp = HistoryOperation<DequeInput<number>, DequeOutput<number>>;

/** Gives each operation the output of one linearization: at a random point within its call (`point`). */
export function outputsAt(model: Model<DequeState<number>, DequeInput<number>, DequeOutput<number>>, timed: readonly { readonly point: number; readonly operation: DequeOp }[]): DequeState<number> {
  let state = model.init();
  for (const { operation } of [...timed].sort((x, y) => x.point - y.point)) {
    const next = model.step(state, operation.input);
    state = next.state;
    (operation as { output?: DequeOutput<number> }).output = next.output;
  }
  return state;
}

/** With `probability`, swaps the outputs of two operations among `seen` (often a violation). */
export function maybeSwapOutputs(random: () => number, seen: readonly DequeOp[], probability: number): void {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  if (random() < probability && seen.length > 1) {
    const [x, y] = [pick(seen), pick(seen)];
    [(x as { output?: unknown }).output, (y as { output?: unknown }).output] = [y.output, x.output];
  }
}

/** Appends a drain of deques `a` and `b` after every other operation (popLeft until empty), as the suites record one. */
export function appendDrain(operations: DequeOp[], state: DequeState<number>, after: number): void {
  let time = after + 2;
  state.forEach((items, index) => {
    for (const item of [...items, null]) {
      operations.push({ client: 99, input: { op: 'popLeft', deque: index === 0 ? 'a' : 'b' }, call: time, return: time + 1, output: item });
      time += 2;
    }
  });
}
