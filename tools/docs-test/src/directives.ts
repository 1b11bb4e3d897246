/**
 * The `// docs-test: …` comments a ```ts block may start with, to tell the
 * runner what it needs (the syntax is documented in README.md):
 *
 *     // docs-test: servers=3 flags="-M -m 64" timeout=20
 *     // docs-test: kind=plain
 *     // docs-test: no-run="a jest test file: needs jest's globals"
 *
 * Unknown keys and malformed values are errors, so a typo cannot quietly
 * turn a check off.
 */

export interface Directives {
  /** memcached servers to start; null: one per distinct address the block names. */
  readonly servers: number | null;
  /** The server kind (see server-kinds.ts); default `plain`. */
  readonly kind: string;
  /** Extra memcached flags for every server of the block. */
  readonly flags: readonly string[];
  /** Seconds the program has to exit on its own. */
  readonly timeoutSeconds: number;
  /** Why the block is only type-checked, or null when it runs. */
  readonly noRun: string | null;
}

export const DEFAULT_TIMEOUT_SECONDS = 15;
const PREFIX = /^\/\/\s*docs-test:\s*(.*)$/;
const PAIR = /\s*([a-z-]+)=(?:"([^"]*)"|(\S+))/gy;

/** The directives of `source` (its leading `// docs-test:` lines). @throws Error naming `where` */
export function parseDirectives(source: string, where: string): Directives {
  const result = { servers: null as number | null, kind: 'plain', flags: [] as string[], timeoutSeconds: DEFAULT_TIMEOUT_SECONDS, noRun: null as string | null };
  for (const line of source.split('\n')) {
    const match = PREFIX.exec(line.trim());
    if (match === null) break;
    const text = match[1]!.trimEnd();
    PAIR.lastIndex = 0;
    let consumed = 0;
    for (let pair = PAIR.exec(text); pair !== null; pair = PAIR.exec(text)) {
      consumed = PAIR.lastIndex;
      const key = pair[1]!;
      const value = pair[2] ?? pair[3]!;
      switch (key) {
        case 'servers':
          if (!/^\d+$/.test(value) || Number(value) > 16) throw new Error(`${where}: servers=${value}: want a count from 0 to 16`);
          result.servers = Number(value);
          break;
        case 'kind':
          result.kind = value;
          break;
        case 'flags':
          result.flags = value.split(/\s+/).filter((flag) => flag !== '');
          break;
        case 'timeout':
          if (!(Number(value) > 0)) throw new Error(`${where}: timeout=${value}: want a positive number of seconds`);
          result.timeoutSeconds = Number(value);
          break;
        case 'no-run':
          if (value.trim() === '') throw new Error(`${where}: no-run needs a reason: no-run="…"`);
          result.noRun = value;
          break;
        default:
          throw new Error(`${where}: unknown docs-test directive "${key}" (known: servers, kind, flags, timeout, no-run)`);
      }
    }
    if (text.slice(consumed).trim() !== '') throw new Error(`${where}: cannot read the docs-test directive "${text.slice(consumed).trim()}" (write key=value or key="value with spaces")`);
  }
  return result;
}
