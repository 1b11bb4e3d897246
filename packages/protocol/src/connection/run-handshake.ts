/**
 * Runs a wire's handshake on a new connection: its prelude (requests sent
 * one at a time, each reply awaited: authfile authentication), then its
 * commands in one write. The connection supplies how a batch is written and
 * whether the socket is still its current one; a replaced socket is never
 * written to again (the attempt already failed and was settled).
 */
import { ConnectionClosedError } from '../errors';
import type { Command } from './command';
import type { Handshake } from './wire';

export async function runHandshake(
  handshake: Handshake,
  sendAll: (commands: readonly Command<unknown>[]) => Promise<unknown[]>,
  current: () => boolean,
  server: string,
): Promise<unknown[]> {
  const checked = (commands: readonly Command<unknown>[]): Promise<unknown[]> => {
    if (!current()) throw new ConnectionClosedError(`connection to ${server} closed during the handshake`, { server });
    return sendAll(commands);
  };
  if (handshake.prelude !== null) await handshake.prelude(async (command) => (await checked([command]))[0]);
  return checked(handshake.commands);
}
