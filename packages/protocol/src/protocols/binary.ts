/**
 * The binary wire: 24-byte headers, replies matched by the echoed opaque and
 * opcode, quiet opcodes settled by the NOOP fence. With `sasl`, every
 * connection authenticates (SASL PLAIN) before its first `stats`.
 */
import { SaslPlainCommand } from '../commands/sasl';
import { NOOP } from '../commands/simple';
import { StatsCommand } from '../commands/stats';
import type { Command, DecodeState, MORE_REPLIES } from '../connection/command';
import { serverInfoFromStats, type ServerInfo } from '../connection/server-info';
import type { Handshake, RequestEncoder, Wire, WireReply } from '../connection/wire';
import { FrameParser } from '../wire/frame-parser';
import { FrameWriter } from '../wire/frame-writer';
import type { ResponseFrame } from '../wire/response-frame';

export interface SaslCredentials {
  readonly username: string;
  readonly password: string;
}

export function binaryWire(sasl: SaslCredentials | null): Wire {
  return {
    name: 'binary',
    createParser: (onReply, maxBodyLength) => new FrameParser(onReply, maxBodyLength),
    createEncoder: () => new FrameWriter(),
    encode(encoder: RequestEncoder, command: Command<unknown>, opaque: number, _server: ServerInfo) {
      (encoder as FrameWriter).write(command, opaque);
    },
    mismatch(command: Command<unknown>, reply: WireReply) {
      const opcode = (reply as ResponseFrame).opcode;
      return opcode === command.opcode ? null : `reply opcode 0x${opcode.toString(16)} does not match`;
    },
    decode<T>(command: Command<T>, reply: WireReply, state: DecodeState, server: ServerInfo): T | typeof MORE_REPLIES {
      return command.decodeBinary(reply as ResponseFrame, state, server);
    },
    handshake: (server) => statsHandshake(server, sasl === null ? [] : [new SaslPlainCommand(sasl.username, sasl.password)]),
    fence: NOOP,
    noop: NOOP,
    commandName: (command) => command.name,
    replyBytes: (reply) => (reply as ResponseFrame).length,
  };
}

/** `stats` and `stats settings` (after any `first` commands in the same write, e.g. SASL, and after a `prelude`): the server's epoch and limits. */
export function statsHandshake(server: string, first: readonly Command<unknown>[], prelude: Handshake['prelude'] = null): Handshake {
  return {
    prelude,
    commands: [...first, new StatsCommand(null), new StatsCommand('settings')],
    finish(results) {
      const general = results[results.length - 2] as Map<string, string>;
      const settings = results[results.length - 1] as Map<string, string>;
      return serverInfoFromStats(server, general, settings);
    },
  };
}
