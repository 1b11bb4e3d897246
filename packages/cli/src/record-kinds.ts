/**
 * Names of the record kinds in mcc item flags (docs/FORMAT.md; RecordKind in
 * @mcc/codec), for messages about what a key holds.
 */
const KIND_NAMES: Readonly<Record<number, string>> = {
  0: 'value',
  1: 'mcas-descriptor',
  2: 'mcas-reference',
  3: 'deque-anchor',
  4: 'deque-chunk',
};

/** The name of a record kind, e.g. `deque-anchor`, or `kind-N` for an unknown one. */
export function kindName(kind: number): string {
  return KIND_NAMES[kind] ?? `kind-${kind}`;
}

/** What to tell a person about a key that holds something other than a user value. */
export function kindNote(key: string, kind: number): string | undefined {
  switch (kind) {
    case 0:
      return undefined;
    case 2:
      return `${key} holds an MCAS reference (an MCAS in flight, or one whose client died): mcc mcas-get ${key} resolves it`;
    case 3: {
      const match = /^mcc:dq:(\{)?(.+?)\}?$/.exec(key);
      const command = match === null ? 'mcc inspect <deque>' : `mcc inspect ${match[2]}${match[1] === undefined ? '' : ' --colocate'}`;
      return `${key} is the anchor of a deque: ${command} shows it as a deque`;
    }
    default:
      return `${key} holds an internal record (${kindName(kind)}), not a user value`;
  }
}
