/**
 * What `mcc doctor` learns about each server, and what in it is risky for
 * data structures. Pure (and unit-tested): server-probe.ts gathers the facts,
 * connection-health.ts judges how the server was reached.
 */
import { assessConnection, type ConnectionFacts } from './connection-health';

/** What one server told us (or why it could not). */
export interface ServerFacts {
  readonly server: string;
  readonly reachable: boolean;
  /** Why it is not reachable. */
  readonly error?: { readonly code: string; readonly message: string };
  readonly version?: string;
  readonly pid?: number;
  readonly casEnabled?: boolean;
  /** True unless started with -M. */
  readonly evictionsEnabled?: boolean;
  /** -I, in bytes. */
  readonly itemSizeMax?: number;
  /** -m, in bytes. */
  readonly memoryLimit?: number;
  /** `stats` bytes: memory holding items now. */
  readonly bytesUsed?: number;
  /** `stats` curr_items. */
  readonly items?: number;
  /** `stats` evictions: items evicted since the server started. */
  readonly evictions?: number;
  /** Protocol, TLS and authentication, as `mcc doctor` found them. */
  readonly connection?: ConnectionFacts;
}

/** `error`: unusable; `risk`: data structures may lose data or fail; `note`: worth knowing, not a failure. */
export type FindingLevel = 'error' | 'risk' | 'note';

export interface Finding {
  readonly level: FindingLevel;
  readonly message: string;
  /** The exact change that fixes it, when there is one. */
  readonly fix?: string;
}

/** memcached's default -I; MCAS descriptors and deque anchors may take a few hundred KiB. */
const MIN_ITEM_SIZE = 1024 * 1024;
/** memcached's default -m. */
const DEFAULT_MEMORY = 64 * 1024 * 1024;
/** Fraction of -m in use at which a -M server is about to refuse writes. */
const NEARLY_FULL = 0.9;

function portOf(server: string): string {
  return server.split(':').pop() ?? '11211';
}

function versionBefore(version: string, major: number, minor: number): boolean {
  const match = /^(\d+)\.(\d+)/.exec(version);
  if (match === null) return false;
  const [foundMajor, foundMinor] = [Number(match[1]), Number(match[2])];
  return foundMajor < major || (foundMajor === major && foundMinor < minor);
}

function mebibytes(bytes: number): string {
  return `${Math.round(bytes / (1024 * 1024))}`;
}

/** What is risky about one server for mcc's data structures, and the flag that fixes it. */
export function assessServer(facts: ServerFacts): Finding[] {
  const connectionFindings = facts.connection === undefined ? [] : assessConnection(facts.connection, facts.reachable);
  if (!facts.reachable && connectionFindings.some((finding) => finding.level === 'error')) return connectionFindings;
  if (!facts.reachable) {
    return [
      {
        level: 'error',
        message: `unreachable: ${facts.error?.code ?? 'error'}: ${facts.error?.message ?? 'no answer'}`,
        fix: `start memcached there (memcached -M -m 1024 -I 2m -p ${portOf(facts.server)}) or correct --servers / MCC_SERVERS`,
      },
    ];
  }
  const findings: Finding[] = [...connectionFindings];
  if (facts.casEnabled === false) {
    findings.push({
      level: 'risk',
      message: 'CAS is disabled (-C): conditional writes would succeed unconditionally, so mcc refuses MCAS and deque operations here',
      fix: 'remove -C from the memcached command line',
    });
  }
  if (facts.evictionsEnabled === true) {
    findings.push({
      level: 'risk',
      message: 'evictions are on: when memory fills, memcached silently drops items, which may be a deque chunk or anchor or an MCAS descriptor',
      fix: 'start memcached with -M (full memory then fails writes loudly instead of losing data)',
    });
  }
  if (facts.evictions !== undefined && facts.evictions > 0) {
    findings.push({
      level: 'risk',
      message: `the server has already evicted ${facts.evictions} item(s) since it started: data structures on it may have lost records`,
      fix: 'check each deque with mcc fsck <deque>; prevent it with -M and a larger -m',
    });
  }
  if (facts.itemSizeMax !== undefined && facts.itemSizeMax < MIN_ITEM_SIZE) {
    findings.push({
      level: 'risk',
      message: `item size limit is ${facts.itemSizeMax} bytes: MCAS descriptors and deque anchors can need several hundred KiB`,
      fix: 'start memcached with -I 1m or more (e.g. -I 2m)',
    });
  }
  if (facts.memoryLimit !== undefined && facts.bytesUsed !== undefined && facts.evictionsEnabled === false && facts.bytesUsed >= NEARLY_FULL * facts.memoryLimit) {
    findings.push({
      level: 'risk',
      message: `memory is ${Math.round((100 * facts.bytesUsed) / facts.memoryLimit)}% full: with -M, writes will soon fail with out-of-memory`,
      fix: `restart with more memory, e.g. -m ${Math.max(1024, 2 * Number(mebibytes(facts.memoryLimit)))}`,
    });
  } else if (facts.memoryLimit !== undefined && facts.memoryLimit <= DEFAULT_MEMORY) {
    findings.push({
      level: 'note',
      message: `memory limit is ${mebibytes(facts.memoryLimit)} MiB (memcached's default is 64): fine to try things, small for real data`,
      fix: 'give it more with -m <megabytes>, e.g. -m 1024',
    });
  }
  if (facts.version !== undefined && versionBefore(facts.version, 1, 6)) {
    findings.push({ level: 'note', message: `memcached ${facts.version} is older than 1.6, the version mcc is tested with`, fix: 'upgrade to memcached 1.6' });
  }
  return findings;
}

/** The memcached flags that fix every finding of these servers, e.g. `-M -I 2m`; empty when nothing needs changing. */
export function suggestedFlags(assessed: readonly { facts: ServerFacts; findings: readonly Finding[] }[]): string {
  const flags = new Set<string>();
  for (const { facts } of assessed) {
    if (!facts.reachable) continue;
    if (facts.evictionsEnabled === true || (facts.evictions ?? 0) > 0) flags.add('-M');
    if (facts.itemSizeMax !== undefined && facts.itemSizeMax < MIN_ITEM_SIZE) flags.add('-I 2m');
    if (facts.memoryLimit !== undefined && facts.memoryLimit <= DEFAULT_MEMORY) flags.add('-m 1024');
  }
  const removals = assessed.some(({ facts }) => facts.casEnabled === false) ? ' and without -C' : '';
  return flags.size === 0 && removals === '' ? '' : `${[...flags].join(' ')}${removals}`.trim();
}
