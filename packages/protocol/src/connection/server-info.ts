/**
 * What a client learns about a server on every (re)connect, from `stats` and
 * `stats settings`, before any request of the caller is sent.
 */
import { ProtocolError } from '../errors';

export interface ServerInfo {
  /** `host:port` */
  readonly server: string;
  /**
   * Identity of the server process: `"<pid>:<start time>"`. It changes when
   * memcached restarts, which resets its CAS counter — a CAS from an earlier
   * epoch could match an unrelated item, so such CAS values are refused.
   */
  readonly epoch: string;
  readonly pid: number;
  /** Unix time (seconds) the server process started. */
  readonly startedAt: number;
  readonly version: string;
  /** False when started with `-C`: CAS ids are all 0 and conditional writes are refused. */
  readonly casEnabled: boolean;
  /** False when started with `-M`: the server answers out-of-memory instead of evicting. */
  readonly evictions: boolean;
  /** Largest item the server stores (`-I`), in bytes. */
  readonly itemSizeMax: number;
  /** Memory limit (`-m`), in bytes. */
  readonly memoryLimit: number;
  /** Largest value storable under a key of `keyLength` bytes with client flags `flags` (non-zero flags cost 4 bytes). */
  maxValueLength(keyLength: number, flags?: number): number;
}

/**
 * memcached stores a value with a fixed item header: 48 bytes, 8 more for the
 * CAS id, the key and its NUL, the trailing "\r\n", and 4 bytes for the client
 * flags unless they are 0 (checked against 1.6.18: under `-I 1m` a 1-byte key
 * takes a 1,048,516-byte value with flags 0, 1,048,512 with other flags). The
 * check must be exact: memcached answers a too-large SET by deleting the
 * key's existing value.
 */
const ITEM_HEADER = 48;
const CAS_FIELD = 8;
const KEY_AND_VALUE_TERMINATORS = 3;
const CLIENT_FLAGS_FIELD = 4;

function required(stats: ReadonlyMap<string, string>, name: string, group: string): string {
  const value = stats.get(name);
  if (value === undefined) throw new ProtocolError(`"stats${group}" reply has no "${name}"`);
  return value;
}

function integer(stats: ReadonlyMap<string, string>, name: string, group: string): number {
  const text = required(stats, name, group);
  const value = Number(text);
  if (!Number.isSafeInteger(value)) throw new ProtocolError(`"stats${group}" field "${name}" is not an integer: ${text}`);
  return value;
}

/** Builds the info from the replies to `stats` and `stats settings`. */
export function serverInfoFromStats(
  server: string,
  general: ReadonlyMap<string, string>,
  settings: ReadonlyMap<string, string>,
): ServerInfo {
  const pid = integer(general, 'pid', '');
  // `time - uptime` is the start time exactly: memcached computes both from one clock reading.
  const startedAt = integer(general, 'time', '') - integer(general, 'uptime', '');
  const casEnabled = required(settings, 'cas_enabled', ' settings') === 'yes';
  const itemSizeMax = integer(settings, 'item_size_max', ' settings');
  const overhead = ITEM_HEADER + (casEnabled ? CAS_FIELD : 0) + KEY_AND_VALUE_TERMINATORS;
  return {
    server,
    epoch: `${pid}:${startedAt}`,
    pid,
    startedAt,
    version: required(general, 'version', ''),
    casEnabled,
    evictions: required(settings, 'evictions', ' settings') === 'on',
    itemSizeMax,
    memoryLimit: integer(settings, 'maxbytes', ' settings'),
    maxValueLength: (keyLength, flags = 0) => itemSizeMax - overhead - keyLength - (flags === 0 ? 0 : CLIENT_FLAGS_FIELD),
  };
}

/** Stand-in info for reading the handshake's own replies, before the real info is known. */
export function provisionalInfo(server: string, limit: number): ServerInfo {
  return {
    server, epoch: '', pid: 0, startedAt: 0, version: '', casEnabled: true, evictions: true,
    itemSizeMax: limit, memoryLimit: 0, maxValueLength: () => limit,
  };
}
