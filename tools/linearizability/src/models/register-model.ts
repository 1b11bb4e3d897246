/**
 * The sequential specification of MCAS registers (as @mcc/mcas): reads of
 * one or several locations, plain writes, and an MCAS over several
 * locations that changes all of them or none.
 *
 * The real `mcas` compares CAS ids, this model compares values: give every
 * write a value never written before (e.g. client and sequence number), so
 * equal values mean the same write and ABA cannot make the model disagree.
 *
 * `mcasGetMulti` is not a snapshot across keys (see its TSDoc): record it as
 * one single-key `read` per key, each with the call's interval.
 *
 * Spurious failures: `mcas` returns false when an entry's CAS id changed, and
 * a CAS id also changes when another MCAS acquired the location and then
 * failed — it puts the same value back, under a new CAS id. So `false` is
 * allowed with every value still as expected (it then changed nothing, as
 * always); what is never allowed is `true` with a value not as expected, an
 * MCAS half visible, or a `false` whose new values someone saw. Pass
 * `{ strict: true }` for a model where false means "some value differed".
 */
import type { Model } from '../model';
import { canonicalJson } from '../model';

export interface McasUpdateInput<V = unknown> {
  readonly key: string;
  /** The value the entry was read with. */
  readonly expected: V;
  readonly value: V;
}

export type RegisterInput<V = unknown> =
  /** Output: the values in `keys` order (`null` for a missing key); atomic across keys. */
  | { readonly op: 'read'; readonly keys: readonly string[] }
  | { readonly op: 'write'; readonly key: string; readonly value: V }
  /** Output: true (every location changed) or false (none did). */
  | { readonly op: 'mcas'; readonly updates: readonly McasUpdateInput<V>[] };

export type RegisterOutput<V = unknown> = readonly (V | null)[] | boolean | null;

/** Location values by key. */
export type RegisterState<V = unknown> = Readonly<Record<string, V>>;

export interface RegisterModelOptions {
  /** false (default): an mcas may fail with every value as expected (see the file comment); true: it may not. */
  readonly strict?: boolean;
}

/** A model of registers starting at `initial` (keys absent from it are missing). */
export function registerModel<V = unknown>(initial: Readonly<Record<string, V>>, options: RegisterModelOptions = {}): Model<RegisterState<V>, RegisterInput<V>, RegisterOutput<V>> {
  const strict = options.strict ?? false;
  return {
    name: strict ? 'mcas-registers-strict' : 'mcas-registers',
    init: () => ({ ...initial }),
    step(state, input, observed) {
      switch (input.op) {
        case 'read':
          return { state, output: input.keys.map((key) => (Object.hasOwn(state, key) ? state[key]! : null)) };
        case 'write':
          return { state: { ...state, [input.key]: input.value }, output: null };
        case 'mcas': {
          const matches = input.updates.every((update) => Object.hasOwn(state, update.key) && canonicalJson(state[update.key]) === canonicalJson(update.expected));
          if (!matches || (!strict && observed === false)) return { state, output: false };
          const next: Record<string, V> = { ...state };
          for (const update of input.updates) next[update.key] = update.value;
          return { state: next, output: true };
        }
      }
    },
    // Sorted keys: the same values reached through writes in another order must meet in the memo.
    key: (state) => canonicalJson(state),
    readOnly: (input) => input.op === 'read',
    describeOperation(input, output) {
      const shown = output === undefined ? '?' : JSON.stringify(output);
      switch (input.op) {
        case 'read':
          return `read(${input.keys.join(',')}) → ${shown}`;
        case 'write':
          return `write(${input.key}=${JSON.stringify(input.value)})${output === undefined ? ' ?' : ''}`;
        case 'mcas':
          return `mcas(${input.updates.map((update) => `${update.key}: ${JSON.stringify(update.expected)}→${JSON.stringify(update.value)}`).join(', ')}) → ${shown}`;
      }
    },
    describeState: (state) => canonicalJson(state),
  };
}
