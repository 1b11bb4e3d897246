/**
 * A sequential specification: the object as if operations ran one at a
 * time. Models are deterministic — an input applied to a state gives one
 * next state and one output — and never mutate a state (the checker keeps
 * old states to backtrack to).
 */
export interface Model<S, I, O> {
  /** Shown in reports and exports. */
  readonly name: string;
  init(): S;
  /** The state after `input` and the output the sequential object returns. */
  step(state: S, input: I): { readonly state: S; readonly output: O };
  /** Whether an observed output is the one the model gives; default: equal JSON. */
  outputsEqual?(modelOutput: O, observed: O): boolean;
  /** A canonical string of the state: equal states, equal keys (the memo relies on it). */
  key(state: S): string;
  /** One line for a visualization; `output` undefined for an open-ended operation. */
  describeOperation(input: I, output: O | undefined): string;
  describeState(state: S): string;
}

/** Equality of JSON-able values by their canonical JSON (object keys sorted). */
export function jsonEqual(a: unknown, b: unknown): boolean {
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
