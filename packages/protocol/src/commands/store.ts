/**
 * set / add / replace / append / prepend (binary SET…PREPEND, meta `ms` with
 * mode S, E, R, A, P). The reply carries the item's new CAS — never read it
 * back with another request.
 *
 * "Not stored" outcomes are ordinary results (`null`), not errors: a CAS
 * mismatch, a CAS write or a replace on a missing key, an add on an existing
 * key, an append to a missing key (binary: key exists / not found / not
 * stored; meta: `EX` / `NF` / `NS`).
 */
import type { Command, DecodeState } from '../connection/command';
import type { ServerInfo } from '../connection/server-info';
import { Opcode, Status } from '../wire/constants';
import type { RequestExtras } from '../wire/frame-writer';
import type { MetaReply } from '../wire/meta-reply';
import type { ResponseFrame } from '../wire/response-frame';
import { metaError, metaUnsigned, statusError } from './status-error';

export type StoreMode = 'set' | 'add' | 'replace' | 'append' | 'prepend';

const OPCODES: Record<StoreMode, number> = {
  set: Opcode.Set, add: Opcode.Add, replace: Opcode.Replace, append: Opcode.Append, prepend: Opcode.Prepend,
};
const META_MODES: Record<StoreMode, string> = { set: 'S', add: 'E', replace: 'R', append: 'A', prepend: 'P' };

export class StoreCommand implements Command<bigint | null> {
  readonly opcode: number;
  readonly extras: RequestExtras | null;
  readonly quiet = false;

  constructor(
    readonly name: StoreMode,
    readonly key: string,
    readonly keyLength: number,
    readonly value: Buffer,
    readonly flags: number,
    readonly ttl: number,
    readonly cas: bigint,
    readonly casEpoch: string | undefined,
  ) {
    this.opcode = OPCODES[name];
    // append/prepend carry no extras: they keep the item's flags and expiry.
    this.extras = this.#concatenates() ? null : { kind: 'store', flags, ttl };
  }

  #concatenates(): boolean {
    return this.name === 'append' || this.name === 'prepend';
  }

  decodeBinary(frame: ResponseFrame, _state: DecodeState, server: ServerInfo): bigint | null {
    const status = frame.status;
    if (status === Status.NoError) return frame.cas;
    if (status === Status.KeyExists || status === Status.KeyNotFound || status === Status.ItemNotStored) return null;
    throw statusError(frame, this, server);
  }

  metaLine(opaque: number): string {
    const attributes = this.#concatenates() ? '' : ` F${this.flags} T${this.ttl}`;
    const condition = this.cas === 0n ? '' : ` C${this.cas}`;
    return `ms ${this.key} ${this.value.length} c M${META_MODES[this.name]}${attributes}${condition} O${opaque}`;
  }

  decodeMeta(reply: MetaReply, _state: DecodeState, server: ServerInfo): bigint | null {
    if (reply.code === 'HD') return metaUnsigned(reply, 'c', this, server);
    if (reply.code === 'NS' || reply.code === 'EX' || reply.code === 'NF') return null;
    throw metaError(reply, this, server);
  }
}
