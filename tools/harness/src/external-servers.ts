/**
 * Whether the servers listed in MCC_SERVERS can stand in for the ones a test
 * asks for. `useMemcached(n, options)` uses them only when the options the
 * test gave are what those servers run with, read from `stats settings`
 * (memcached 1.6.18: `evictions on|off` for -M, `cas_enabled yes|no` for -C,
 * `item_size_max` in bytes for -I, `maxbytes` for -m). Options that cannot be
 * read back (`extraArgs`, `port`) always need private servers.
 */
import type { MemcachedOptions } from './memcached-args';
import { rawTextRequest } from './raw-text-request';

const SIZE = /^(\d+)([kKmM]?)$/;

/** '2m' / '512k' / 2097152 → bytes, as memcached reads -I. */
export function itemSizeBytes(size: string | number): number {
  if (typeof size === 'number') return size;
  const match = SIZE.exec(size.trim());
  if (match === null) return NaN;
  const unit = match[2]!.toLowerCase();
  return Number(match[1]) * (unit === 'm' ? 1024 * 1024 : unit === 'k' ? 1024 : 1);
}

/** True when the options ask for nothing about the server itself (any running memcached will do). */
export function asksForNothing(options: MemcachedOptions): boolean {
  return options.evictions === undefined && options.cas === undefined && options.itemSizeMax === undefined && options.memoryMb === undefined && options.extraArgs === undefined && options.port === undefined;
}

/** Why `settings` (from `stats settings`) does not satisfy `options`, or null when it does. */
export function settingsMismatch(settings: ReadonlyMap<string, string>, options: MemcachedOptions): string | null {
  if (options.extraArgs !== undefined || options.port !== undefined) return 'extraArgs/port cannot be checked on a running server';
  if (options.evictions !== undefined && settings.get('evictions') !== (options.evictions ? 'on' : 'off')) return `evictions ${settings.get('evictions')}`;
  if (options.cas !== undefined && settings.get('cas_enabled') !== (options.cas ? 'yes' : 'no')) return `cas_enabled ${settings.get('cas_enabled')}`;
  if (options.itemSizeMax !== undefined && Number(settings.get('item_size_max')) !== itemSizeBytes(options.itemSizeMax)) return `item_size_max ${settings.get('item_size_max')}`;
  if (options.memoryMb !== undefined && Number(settings.get('maxbytes')) !== options.memoryMb * 1024 * 1024) return `maxbytes ${settings.get('maxbytes')}`;
  return null;
}

/** `stats settings` of one server, as name → value. */
export async function readSettings(address: string): Promise<Map<string, string>> {
  const text = await rawTextRequest(address, 'stats settings\r\n', { until: /END\r\n/, timeoutMs: 5000 });
  const settings = new Map<string, string>();
  for (const line of text.split('\r\n')) {
    const [stat, name, ...value] = line.split(' ');
    if (stat === 'STAT' && name !== undefined) settings.set(name, value.join(' '));
  }
  return settings;
}

/** True when every listed server runs with what `options` ask for. */
export async function serversSatisfy(addresses: readonly string[], options: MemcachedOptions): Promise<boolean> {
  if (options.extraArgs !== undefined || options.port !== undefined) return false;
  const all = await Promise.all(addresses.map(async (address) => settingsMismatch(await readSettings(address), options)));
  return all.every((mismatch) => mismatch === null);
}
