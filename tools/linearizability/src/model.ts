/**
 * A sequential specification: the object as if operations ran one at a
 * time. Models are deterministic — an input applied to a state gives one
 * next state and one output — and never mutate a state (the checker keeps
 * old states to backtrack to).
 */
import type { HistoryOperation } from './history';

export interface Model<S, I, O> {
  /** Shown in reports and exports. */
  readonly name: string;
  init(): S;
  /**
   * The state after `input` and the output the sequential object returns.
   * `observed` is the output the operation really had (undefined when its
   * outcome is unknown): a specification that allows several outcomes picks
   * the one observed if it is allowed (see registerModel's spurious failures).
   */
  step(state: S, input: I, observed?: O): { readonly state: S; readonly output: O };
  /** Whether an observed output is the one the model gives; default: equal JSON. */
  outputsEqual?(modelOutput: O, observed: O): boolean;
  /**
   * A string of the state for the memo: different states must give different
   * keys; equal states should give equal keys (a miss only costs time).
   */
  key(state: S): string;
  /** True if `input` never changes the state: such an operation whose outcome is unknown is left out of the search. */
  readOnly?(input: I): boolean;
  /**
   * Per operation, false if the search may leave it out without changing the
   * verdict (a model-specific simplification, e.g. an open-ended push whose
   * value nobody ever saw); undefined entries are kept.
   */
  needed?(operations: readonly HistoryOperation<I, O>[]): readonly (boolean | undefined)[];
  /**
   * For an open-ended operation whose effect only ever helps later steps
   * (taking it earlier never makes a step fail): the output to linearize it
   * with at its invocation instant — the checker then treats it as an
   * operation that returned at once with that output, instead of trying it
   * at every later point (which can double the search per such operation).
   * undefined: keep it open-ended.
   */
  resolveOpen?(input: I): O | undefined;
  /**
   * A test of the states the search reaches, for `operations` (the ones
   * searched): false only if the operations still pending (`pending(index)`)
   * cannot all be linearized from `state`, reached by linearizing operation
   * `last` — a necessary condition, so the search may drop the state at
   * once instead of finding out many steps later. It must never refuse a
   * state with a linearizable future, or verdicts become wrong; it may
   * accept states without one (and look only at what `last` changed).
   * undefined: every state is tried.
   */
  feasibility?(operations: readonly HistoryOperation<I, O>[]): (state: S, pending: (index: number) => boolean, last: number) => boolean;
  /** One line for a visualization; `output` undefined for an open-ended operation. */
  describeOperation(input: I, output: O | undefined): string;
  describeState(state: S): string;
}

/** Equality of JSON-able values by their canonical JSON (object keys sorted). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  return canonicalJson(a) === canonicalJson(b);
}

/** JSON with object keys sorted, so equal values give equal strings. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) => {
    if (inner === undefined) return null;
    if (typeof inner !== 'object' || inner === null || Array.isArray(inner)) return inner;
    const sorted: Record<string, unknown> = {};
    for (const key of Object.keys(inner).sort()) sorted[key] = (inner as Record<string, unknown>)[key];
    return sorted;
  });
}

/**
 * Small numbers for values, equal exactly when the values are equal by
 * canonical JSON (as the models compare them), so a model may compare and
 * key numbers instead of values. A primitive is looked up by value, an
 * object by identity, and only an object's first sight pays for its JSON —
 * a state's values are the histories' own inputs, so the same value is
 * usually the same object. Far cheaper than JSON per step for long values.
 */
export function valueNumbers(): (value: unknown) => number {
  const byValue = new Map<unknown, number>();
  const byJson = new Map<string, number>();
  return (value) => {
    let number = byValue.get(value);
    if (number === undefined) {
      const json = canonicalJson(value);
      number = byJson.get(json);
      if (number === undefined) byJson.set(json, (number = byJson.size));
      byValue.set(value, number);
    }
    return number;
  };
}
