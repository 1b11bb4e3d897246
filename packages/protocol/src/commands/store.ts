/**
 * set / add / replace / append / prepend (binary SET…PREPEND, meta `ms` with
 * mode S, E, R, A, P). The reply carries the item's new CAS — never read it
 * back with another request.
 *
 * "Not stored" outcomes are ordinary results (`null`), not errors: a CAS
 * mismatch, a CAS write or a replace on a missing key, an add on an existing
 * key, an append to a missing key (binary: key exists / not found / not
 * stored; meta: `EX` / `NF` / `NS`).
 *
 * Refused writes must never destroy what is stored. A binary SET refused as
 * out of memory deletes the key's item (memcached 1.6.18), a REPLACE keeps
 * it: a set with a CAS is sent as REPLACE with that CAS, which means the
 * same. On the meta wire every
 * refused `ms` — too large, or out of memory on a full `-M` server — deletes
 * the key's item, whatever its mode or CAS (memcached 1.6.18), while the
 * classic text commands `add`, `replace` and `cas` keep it. So on a meta
 * connection to a server that does not evict (`-M`), add, replace and a set
 * with a CAS are sent as those text commands, each followed in the same
 * write by `mg <key> v c f` to learn the new CAS (text commands do not
 * return it): if the item read back holds exactly the bytes and flags
 * written, its CAS is returned — the state is the one written, whoever wrote
 * it last; otherwise the write was overwritten in between and a CAS that can
 * never match again is returned. (An unconditional set overwrites anyway, as
 * a binary SET, which deletes on refusal too; append and prepend stay `ms`.)
 * On an evicting server a refused write is no worse than an eviction.
 */
import { MORE_REPLIES, type Command, type DecodeState } from '../connection/command';
import type { ServerInfo } from '../connection/server-info';
import { Opcode, Status } from '../wire/constants';
import type { RequestExtras } from '../wire/frame-writer';
import type { MetaReply } from '../wire/meta-reply';
import type { MetaWriter } from '../wire/meta-writer';
import type { ResponseFrame } from '../wire/response-frame';
import { ProtocolError } from '../errors';
import { metaError, metaUint32, metaUnsigned, statusError } from './status-error';

/** Text-protocol replies of a store that did not happen: add on an existing key, replace or cas on a missing one, a CAS mismatch. */
const TEXT_NOT_STORED = new Set(['NOT_STORED', 'EXISTS', 'NOT_FOUND']);
/** A CAS of a write that was stored and then deleted: 1 was given out before it, so it never matches again. */
const NEVER_MATCHES = 1n;

export type StoreMode = 'set' | 'add' | 'replace' | 'append' | 'prepend';

const OPCODES: Record<StoreMode, number> = {
  set: Opcode.Set, add: Opcode.Add, replace: Opcode.Replace, append: Opcode.Append, prepend: Opcode.Prepend,
};
/**
 * ` c` (return the new CAS) and the mode flag, as they follow the data
 * length. Set is `ms`'s default mode, and absent `F`/`T` mean flags 0 and no
 * expiry in every mode (memcached 1.6.18: they replace an item's earlier
 * flags and TTL), so those are left out: less for the server to parse.
 */
const META_MODES: Record<StoreMode, string> = { set: ' c', add: ' c ME', replace: ' c MR', append: ' c MA', prepend: ' c MP' };

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
    // A binary SET refused for lack of memory deletes the item; a REPLACE keeps it, and with a CAS
    // the two mean the same (the key must exist and match), so a conditional set goes as REPLACE.
    this.opcode = name === 'set' && cas !== 0n ? Opcode.Replace : OPCODES[name];
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

  /** Whether this write goes as a text command plus a read-back (see the file comment). */
  #guarded(server: ServerInfo): boolean {
    if (server.evictions || this.#concatenates()) return false;
    return this.name !== 'set' || this.cas !== 0n;
  }

  encodeMeta(out: MetaWriter, opaque: number, server: ServerInfo): void {
    if (this.#guarded(server)) {
      // The text command, then the read-back in the same write.
      out.text(this.cas === 0n ? this.name : 'cas').text(' ').key(this.key, this.keyLength)
        .text(' ').decimal(this.flags).text(' ').decimal(this.ttl).text(' ').decimal(this.value.length);
      if (this.cas !== 0n) out.text(' ').decimal(this.cas);
      out.end(this.value);
      out.text('mg ').key(this.key, this.keyLength).text(' v c f O').decimal(opaque).end();
      return;
    }
    out.text('ms ').key(this.key, this.keyLength).text(' ').decimal(this.value.length).text(META_MODES[this.name]);
    if (this.flags !== 0) out.text(' F').decimal(this.flags);
    if (this.ttl !== 0) out.text(' T').decimal(this.ttl);
    if (this.cas !== 0n) out.text(' C').decimal(this.cas);
    out.text(' O').decimal(opaque).end(this.value);
  }

  decodeMeta(reply: MetaReply, state: DecodeState, server: ServerInfo): bigint | null | typeof MORE_REPLIES {
    if (!this.#guarded(server)) {
      if (reply.code === 'HD') return metaUnsigned(reply, 'c', this, server);
      if (reply.code === 'NS' || reply.code === 'EX' || reply.code === 'NF') return null;
      throw metaError(reply, this, server);
    }
    if (state.accumulator === undefined) {
      // The text command's reply; the read-back's follows in any case.
      state.accumulator = reply.code === 'STORED' ? 'stored' : TEXT_NOT_STORED.has(reply.code) ? 'not stored' : metaError(reply, this, server);
      if (state.accumulator instanceof ProtocolError) throw state.accumulator;
      return MORE_REPLIES;
    }
    if (reply.code !== 'VA' && reply.code !== 'EN') throw metaError(reply, this, server);
    const outcome = state.accumulator;
    if (outcome instanceof Error) throw outcome;
    if (outcome === 'not stored') return null;
    if (reply.code === 'EN') return NEVER_MATCHES; // stored, then deleted
    const cas = metaUnsigned(reply, 'c', this, server);
    const mine = metaUint32(reply, 'f', this, server) === this.flags && reply.value!.equals(this.value);
    // Overwritten in between: CAS ids only grow, so one below the current one never matches this key again.
    return mine ? cas : cas - 1n;
  }
}
