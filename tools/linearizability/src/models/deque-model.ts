/**
 * The sequential specification of several named deques (as @mcc/deque's
 * `Deque`): both ends, `extend`/`extendLeft`, `length`, `peek`/`peekLeft`,
 * `clear`, and `moveTo` between two of them (or within one: a rotation).
 * Values are JSON; an empty deque's pop, peek and move give `null` (the
 * recorder records `undefined` as `null`).
 */
import type { HistoryOperation } from '../history';
import { canonicalJson, type Model, valueNumbers } from '../model';
import { dequeFeasibility } from './deque-feasibility';

export type DequeSide = 'left' | 'right';

export type DequeInput<V = unknown> =
  | { readonly op: 'append' | 'appendLeft'; readonly deque: string; readonly value: V }
  | { readonly op: 'extend' | 'extendLeft'; readonly deque: string; readonly values: readonly V[] }
  | { readonly op: 'pop' | 'popLeft' | 'peek' | 'peekLeft' | 'length' | 'clear'; readonly deque: string }
  /** Pops `from` (default 'right') of `deque`, pushes onto `to` (default 'left') of `target`. */
  | { readonly op: 'moveTo'; readonly deque: string; readonly target: string; readonly from?: DequeSide; readonly to?: DequeSide };

/** null for pushes and clear, the value (or null) for pops, peeks and moves, a number for length. */
export type DequeOutput<V = unknown> = V | number | null;

/** The contents of each deque, left to right, in the order of the model's names. */
export type DequeState<V = unknown> = readonly (readonly V[])[];

const READ_ONLY: ReadonlySet<DequeInput['op']> = new Set(['peek', 'peekLeft', 'length']);
const PUSHES: ReadonlySet<DequeInput['op']> = new Set(['append', 'appendLeft', 'extend', 'extendLeft']);

/**
 * An open-ended push none of whose values any operation with a response
 * ever returned is not needed — unless a `length` that returned after its
 * invocation might have counted it. Why leaving it out changes no verdict:
 * take a linearization in which it took effect; remove its values from every
 * state. Only operations that returned one of those values could see the
 * difference — a pop or move returns the element at an end, and removing an
 * element that is not returned leaves every end as it was (an empty deque
 * stays empty) — and those are all open-ended (nobody with a response
 * returned them): let them not happen. Every response is as before.
 */
function unseenOpenPushes<V>(operations: readonly HistoryOperation<DequeInput<V>, DequeOutput<V>>[]): boolean[] {
  const seen = new Set<string>();
  let lastLengthReturn = -Infinity;
  for (const operation of operations) {
    if (operation.return === null) continue;
    if (operation.input.op === 'length') lastLengthReturn = Math.max(lastLengthReturn, operation.return);
    else if (operation.output !== null && operation.output !== undefined) seen.add(canonicalJson(operation.output));
  }
  return operations.map((operation) => {
    const input = operation.input;
    if (operation.return !== null || !PUSHES.has(input.op) || lastLengthReturn > operation.call) return true;
    const values = 'values' in input ? input.values : 'value' in input ? [input.value] : [];
    return values.some((value) => seen.has(canonicalJson(value)));
  });
}

/** A model of the deques named `names`, all empty at first. */
export function dequeModel<V = unknown>(names: readonly string[]): Model<DequeState<V>, DequeInput<V>, DequeOutput<V>> {
  const indexOf = (name: string): number => {
    const index = names.indexOf(name);
    if (index < 0) throw new RangeError(`the deque model has no deque "${name}" (it has ${names.join(', ')})`);
    return index;
  };
  const numberOf = valueNumbers();
  return {
    name: `deques(${names.join(',')})`,
    init: () => names.map(() => []),
    step(state, input) {
      const index = indexOf(input.deque);
      const own = state[index]!;
      const replace = (changes: ReadonlyMap<number, readonly V[]>): DequeState<V> => state.map((items, at) => changes.get(at) ?? items);
      switch (input.op) {
        case 'append':
          return { state: replace(new Map([[index, [...own, input.value]]])), output: null };
        case 'appendLeft':
          return { state: replace(new Map([[index, [input.value, ...own]]])), output: null };
        case 'extend':
          return { state: replace(new Map([[index, [...own, ...input.values]]])), output: null };
        case 'extendLeft':
          // One at a time onto the left end, like Python's extendleft: the last ends up leftmost.
          return { state: replace(new Map([[index, [...[...input.values].reverse(), ...own]]])), output: null };
        case 'pop':
        case 'popLeft': {
          if (own.length === 0) return { state, output: null };
          const left = input.op === 'popLeft';
          return { state: replace(new Map([[index, left ? own.slice(1) : own.slice(0, -1)]])), output: (left ? own[0] : own[own.length - 1]) as V };
        }
        case 'peek':
          return { state, output: own.length === 0 ? null : (own[own.length - 1] as V) };
        case 'peekLeft':
          return { state, output: own.length === 0 ? null : (own[0] as V) };
        case 'length':
          return { state, output: own.length };
        case 'clear':
          return { state: replace(new Map([[index, []]])), output: null };
        case 'moveTo': {
          if (own.length === 0) return { state, output: null };
          const fromLeft = (input.from ?? 'right') === 'left';
          const value = (fromLeft ? own[0] : own[own.length - 1]) as V;
          const source = fromLeft ? own.slice(1) : own.slice(0, -1);
          const targetIndex = indexOf(input.target);
          const target = targetIndex === index ? source : state[targetIndex]!;
          const pushed = (input.to ?? 'left') === 'left' ? [value, ...target] : [...target, value];
          const changes = new Map<number, readonly V[]>([[index, source]]);
          changes.set(targetIndex, pushed);
          return { state: replace(changes), output: value };
        }
      }
    },
    key: (state) => state.map((items) => items.map(numberOf).join(',')).join('|'),
    readOnly: (input) => READ_ONLY.has(input.op),
    needed: unseenOpenPushes,
    feasibility: (operations) => dequeFeasibility(indexOf, names.length, operations),
    describeOperation(input, output) {
      const shown = output === undefined ? '?' : JSON.stringify(output);
      switch (input.op) {
        case 'append':
        case 'appendLeft':
          return `${input.deque}.${input.op}(${JSON.stringify(input.value)})${output === undefined ? ' ?' : ''}`;
        case 'extend':
        case 'extendLeft':
          return `${input.deque}.${input.op}(${JSON.stringify(input.values)})${output === undefined ? ' ?' : ''}`;
        case 'moveTo':
          return `${input.deque}.moveTo(${input.target}, ${input.from ?? 'right'}→${input.to ?? 'left'}) → ${shown}`;
        default:
          return `${input.deque}.${input.op}() → ${shown}`;
      }
    },
    describeState: (state) => names.map((name, index) => `${name}: ${JSON.stringify(state[index])}`).join('; '),
  };
}
