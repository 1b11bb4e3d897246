/**
 * Observability through `node:diagnostics_channel` (no logging): subscribe
 * to see helping happen, e.g. to tell a dead client's abandoned MCAS from
 * ordinary contention.
 *
 * - `mcc:mcas:help` — a client completed (or found gone) someone else's MCAS:
 *   `{ descriptorKey, origin, result: 'succeeded' | 'failed' | 'missing' }`,
 *   where `origin` is the key whose reference led there.
 */
import { channel } from 'node:diagnostics_channel';

export interface HelpMessage {
  readonly descriptorKey: string;
  readonly origin: string;
  readonly result: 'succeeded' | 'failed' | 'missing';
}

export const helpChannel = channel('mcc:mcas:help');

export function publishHelp(message: HelpMessage): void {
  if (helpChannel.hasSubscribers) helpChannel.publish(message);
}
