/**
 * Keyless commands answered by every server: noop (binary NOOP, meta `mn`),
 * version and flush (binary VERSION / FLUSH, the text commands `version` and
 * `flush_all` on meta connections). NOOP is also the binary fence that
 * settles the quiet requests before it.
 */
import type { DecodeState } from '../connection/command';
import type { ServerInfo } from '../connection/server-info';
import { Opcode, Status } from '../wire/constants';
import type { MetaReply } from '../wire/meta-reply';
import type { MetaWriter } from '../wire/meta-writer';
import type { ResponseFrame } from '../wire/response-frame';
import { KeylessRequest } from './keyless';
import { metaError, statusError } from './status-error';

abstract class KeylessCommand<T> extends KeylessRequest<T> {
  /** The meta request line and the reply code of success. */
  protected abstract readonly metaRequest: string;
  protected abstract readonly metaSuccess: string;

  protected abstract result(body: string): T;

  decodeBinary(frame: ResponseFrame, _state: DecodeState, server: ServerInfo): T {
    if (frame.status !== Status.NoError) throw statusError(frame, this, server);
    return this.result(frame.value().toString('utf8'));
  }

  encodeMeta(out: MetaWriter): void {
    out.text(this.metaRequest).end();
  }

  decodeMeta(reply: MetaReply, _state: DecodeState, server: ServerInfo): T {
    if (reply.code !== this.metaSuccess) throw metaError(reply, this, server);
    return this.result(reply.tokens.join(' '));
  }
}

export class NoopCommand extends KeylessCommand<void> {
  readonly name = 'noop';
  readonly opcode = Opcode.Noop;
  protected readonly metaRequest = 'mn';
  protected readonly metaSuccess = 'MN';
  protected result(): void {}
}

/** The server's version string, e.g. "1.6.18". */
export class VersionCommand extends KeylessCommand<string> {
  readonly name = 'version';
  readonly opcode = Opcode.Version;
  protected readonly metaRequest = 'version';
  protected readonly metaSuccess = 'VERSION';
  protected result(body: string): string {
    return body;
  }
}

export class FlushCommand extends KeylessCommand<void> {
  readonly name = 'flush';
  readonly opcode = Opcode.Flush;
  protected readonly metaRequest = 'flush_all';
  protected readonly metaSuccess = 'OK';
  protected result(): void {}
}

/** One shared instance each: these commands carry no state of their own. */
export const NOOP = new NoopCommand();
export const VERSION = new VersionCommand();
export const FLUSH = new FlushCommand();
