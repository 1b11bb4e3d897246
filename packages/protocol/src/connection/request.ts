/**
 * A command travelling through a connection: the command itself, the
 * promise to settle, and the bookkeeping of its trip (opaque, deadline).
 */
import type { CommandMessage } from '../tracing';
import type { Command, DecodeState } from './command';

export class Request<T> implements DecodeState {
  /** Assigned when the request is encoded. */
  opaque = 0;
  /** Epoch-milliseconds after which the request times out. */
  deadline = 0;
  /** Bytes charged to the connection's flight window while in flight. */
  charge = 0;
  /** Scratch space for commands that collect several replies (stats). */
  accumulator: unknown = undefined;
  /** The trace context while someone subscribes to `mcc:protocol:command`, else null. */
  trace: CommandMessage | null = null;

  constructor(
    readonly command: Command<T>,
    readonly resolve: (value: T) => void,
    readonly reject: (error: Error) => void,
  ) {}

  get key(): string | null {
    return this.command.key;
  }

  /** Binary quiet opcode: no reply on success (or on a miss). */
  get quiet(): boolean {
    return this.command.quiet;
  }
}
