/**
 * Listing the keys a memcached holds (`lru_crawler metadump all`, memcached
 * ≥ 1.4.31), for tests that must show a failed operation left nothing
 * behind. Text protocol over its own connection: no client package needed.
 */
import type { HostPort } from './address';
import { rawTextRequest } from './raw-text-request';

/**
 * Every live key on the server (optionally only those starting with
 * `prefix`), sorted. Keys come back URL-decoded, as they were written.
 *
 * @throws Error when the server does not answer the metadump
 */
export async function listKeys(target: string | HostPort, prefix = ''): Promise<string[]> {
  const reply = await rawTextRequest(target, 'lru_crawler metadump all\r\n', { until: /(?:^|\n)(?:END|ERROR[^\r\n]*)\r\n$/, timeoutMs: 5000 });
  if (!reply.endsWith('END\r\n')) throw new Error(`listKeys: metadump refused: ${JSON.stringify(reply.slice(-200))}`);
  const keys: string[] = [];
  for (const line of reply.split(/\r?\n/)) {
    const match = /^key=(\S+)/.exec(line);
    if (match === null) continue;
    const key = decodeURIComponent(match[1]!);
    if (key.startsWith(prefix)) keys.push(key);
  }
  return keys.sort();
}
