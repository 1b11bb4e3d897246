/**
 * Typed entries over the protocol client: values go through a {@link Codec},
 * and every item carries mcc flags (flags.ts) naming the codec and the record
 * kind, so a reader with another codec fails loudly instead of decoding
 * garbage.
 *
 * Writes return the new {@link Entry} built from the reply's CAS: nothing is
 * read back. The entry's epoch is the one the client knew for the server
 * before the write was sent; if the server restarted in between, the entry
 * carries the older epoch and a later `cas` with it is refused
 * (StaleCasError) rather than trusted — the safe direction.
 *
 * As in the protocol, a lost race is an ordinary result (`null`/`false`),
 * never an exception.
 */
import {
  CasUnsupportedError,
  Client,
  InvalidArgumentError,
  ServerError,
  ValueTooLargeError,
  type ClientOptions,
  type Item,
  type ServerSpec,
  type StoreOptions,
} from '@mcc/protocol';
import { CodecId, type Codec } from './codec';
import type { CasTarget, Entry, WriteOptions } from './entry';
import { CodecMismatchError, DecodeError, EncodeError } from './errors';
import { checkByte, mccFlags, parseFlags, RecordKind } from './flags';
import { msgpackCodec } from './msgpack-codec';

/** Status "item not stored" (0x0005): an unconditional set that was not stored. */
const STATUS_ITEM_NOT_STORED = 0x0005;

/** Names of the codec ids of the mcc format, for messages. */
const CODEC_NAMES: Readonly<Record<number, string>> = { [CodecId.Raw]: 'raw', [CodecId.Msgpack]: 'msgpack', [CodecId.Json]: 'json' };

/** Options of {@link connect}: the protocol client's options plus the codec. */
export interface ConnectOptions extends ClientOptions {
  /** Codec of every value of the store. Default {@link msgpackCodec}. */
  codec?: Codec;
}

type WriteOperation = 'set' | 'add' | 'replace';

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function describeFlags(flags: number): string {
  const parsed = parseFlags(flags);
  if (parsed.type === 'untagged') return 'untagged bytes (flags 0: written by another memcache client)';
  if (parsed.type === 'foreign') return 'an item that is not an mcc value (its flags lack the 0x4D43 marker)';
  const codec = CODEC_NAMES[parsed.codecId] ?? `id ${parsed.codecId}`;
  return `a value of codec ${codec}${parsed.kind === RecordKind.Value ? '' : ` (record kind ${parsed.kind})`}`;
}

export class Store {
  /** The protocol client the store writes through (also usable directly: flags of its items are yours to set). */
  readonly client: Client;
  /** Codec of every value the store reads and writes. */
  readonly codec: Codec;

  /**
   * @param client a protocol client; `close()` closes it.
   * @param codec default {@link msgpackCodec}
   * @throws InvalidArgumentError for a codec without an id 0-255, a name, `encode` and `decode`
   */
  constructor(client: Client, codec: Codec = msgpackCodec) {
    if (codec === null || typeof codec !== 'object' || typeof codec.encode !== 'function' || typeof codec.decode !== 'function' || typeof codec.name !== 'string') {
      throw new InvalidArgumentError('a codec needs an id, a name, encode() and decode()');
    }
    checkByte('codec id', codec.id);
    this.client = client;
    this.codec = codec;
  }

  /** Reads an entry, or `null` if the key is missing. @throws CodecMismatchError, DecodeError */
  async get<T = unknown>(key: string): Promise<Entry<T> | null> {
    const item = await this.client.get(key);
    return item === null ? null : this.#toEntry<T>(item);
  }

  /**
   * Reads many keys in one pipelined batch per server. Missing keys are
   * absent from the map. @throws CodecMismatchError, DecodeError for the first bad item
   */
  async getMulti<T = unknown>(keys: Iterable<string>): Promise<Map<string, Entry<T>>> {
    const items = await this.client.getMulti(keys);
    const entries = new Map<string, Entry<T>>();
    for (const [key, item] of items) entries.set(key, this.#toEntry<T>(item));
    return entries;
  }

  /**
   * Stores unconditionally. Beware: memcached deletes the key's current item
   * when it refuses a `set` for lack of memory (`-M`, full; ServerError
   * 0x0082), so a failed `set` may leave the key missing. {@link cas},
   * {@link replace} and {@link add} never destroy the current item when refused.
   *
   * @throws EncodeError, ValueTooLargeError (nothing written)
   */
  async set<T>(key: string, value: T, options: WriteOptions = {}): Promise<Entry<T>> {
    const entry = await this.#write('set', key, value, options, undefined);
    if (entry === null) {
      throw new ServerError(STATUS_ITEM_NOT_STORED, `set ${JSON.stringify(key)}: the server did not store the item`, { key });
    }
    return entry;
  }

  /** Stores only if the key is absent: the new entry, or `null` if it exists. */
  async add<T>(key: string, value: T, options: WriteOptions = {}): Promise<Entry<T> | null> {
    return this.#write('add', key, value, options, undefined);
  }

  /** Stores only if the key exists: the new entry, or `null` if it is missing. */
  async replace<T>(key: string, value: T, options: WriteOptions = {}): Promise<Entry<T> | null> {
    return this.#write('replace', key, value, options, undefined);
  }

  /**
   * Replaces `entry`'s value only if the item is unchanged since `entry` was
   * read or written: the new entry, or `null` if someone changed or deleted it.
   *
   * @throws StaleCasError when the server restarted since `entry` (re-read it)
   * @throws CasUnsupportedError when the server runs without CAS (`-C`)
   */
  async cas<T>(entry: CasTarget, newValue: T, options: WriteOptions = {}): Promise<Entry<T> | null> {
    this.#checkCondition(entry);
    // `replace` carrying the CAS, never `set`: memcached 1.6 unlinks the key's
    // current item when it refuses a `set` (CAS or not) for lack of memory or
    // as too large, but keeps it when it refuses a `replace`. Both compare the
    // CAS alike (EXISTS on a mismatch, NOT_FOUND when missing): see
    // docs/FORMAT.md, "Server facts", and test/integration/server-facts.test.ts.
    return this.#write('replace', entry.key, newValue, options, entry);
  }

  /**
   * Deletes an entry only if unchanged (`true`), or a key unconditionally.
   * `false` when missing or (for an entry) changed.
   */
  async delete(target: CasTarget | string): Promise<boolean> {
    if (typeof target === 'string') return this.client.delete(target);
    this.#checkCondition(target);
    return this.client.delete(target.key, { cas: target.cas, epoch: target.epoch });
  }

  /**
   * Like {@link delete}, but sent quietly: no round trip of its own (see the
   * protocol's `deleteQuiet`); failures nobody awaits go to the client's
   * `onBackgroundError`.
   *
   * @throws CasUnsupportedError synchronously for an entry without a CAS id
   */
  deleteQuiet(target: CasTarget | string): Promise<boolean> {
    if (typeof target === 'string') return this.client.deleteQuiet(target);
    this.#checkCondition(target);
    return this.client.deleteQuiet(target.key, { cas: target.cas, epoch: target.epoch });
  }

  /** Closes the client: everything in flight rejects with ClientClosedError. */
  close(): Promise<void> {
    return this.client.close();
  }

  async #write<T>(operation: WriteOperation, key: string, value: T, options: WriteOptions, condition: CasTarget | undefined): Promise<Entry<T> | null> {
    const kind = checkByte('kind', options.kind ?? RecordKind.Value);
    const server = this.client.serverFor(key); // validates the key
    const bytes = this.#encode(key, server, value);
    // Read before the write is queued: the entry gets this epoch (see the file comment).
    const info = await this.client.serverInfo(server);
    // Exact, flags included: a SET memcached refuses as too large also deletes the key's current value.
    const flags = mccFlags(kind, this.codec.id);
    const limit = info.maxValueLength(Buffer.byteLength(key, 'utf8'), flags);
    if (bytes.length > limit) {
      throw new ValueTooLargeError(
        bytes.length,
        limit,
        `${operation} ${JSON.stringify(key)}: the ${bytes.length}-byte ${this.codec.name} encoding exceeds the ${limit}-byte limit ` +
          `of ${server} (item_size_max ${info.itemSizeMax} less item header, key and flags); nothing was written`,
        { key, server },
      );
    }
    const storeOptions: StoreOptions = { flags };
    if (options.ttl !== undefined) storeOptions.ttl = options.ttl;
    if (condition !== undefined) {
      storeOptions.cas = condition.cas;
      storeOptions.epoch = condition.epoch;
    }
    const cas = await this.client[operation](key, bytes, storeOptions);
    if (cas === null) return null;
    return Object.freeze({ key, value, cas, epoch: info.epoch, kind });
  }

  #encode(key: string, server: string, value: unknown): Buffer {
    let bytes: unknown;
    try {
      bytes = this.codec.encode(value);
    } catch (error) {
      if (error instanceof EncodeError) throw error.withContext({ key, server });
      throw new EncodeError(this.codec.name, 'value', `could not be encoded: ${messageOf(error)}`, { key, server, cause: error });
    }
    if (!Buffer.isBuffer(bytes)) {
      if (!(bytes instanceof Uint8Array)) throw new EncodeError(this.codec.name, 'value', `was encoded to ${typeof bytes}, not a Buffer`, { key, server });
      return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    }
    return bytes;
  }

  #toEntry<T>(item: Item): Entry<T> {
    const parsed = parseFlags(item.flags);
    const matches = parsed.type === 'mcc' ? parsed.codecId === this.codec.id : parsed.type === 'untagged' && this.codec.id === CodecId.Raw;
    if (!matches) {
      throw new CodecMismatchError(item.key, this.codec, item.flags, describeFlags(item.flags), { server: this.client.serverFor(item.key) });
    }
    let value: unknown;
    try {
      value = this.codec.decode(item.value);
    } catch (error) {
      const context = { key: item.key, server: this.client.serverFor(item.key) };
      if (error instanceof DecodeError) throw error.withContext(context);
      throw new DecodeError(this.codec.name, messageOf(error), { ...context, cause: error });
    }
    const kind = parsed.type === 'mcc' ? parsed.kind : RecordKind.Value;
    return Object.freeze({ key: item.key, value: value as T, cas: item.cas, epoch: item.epoch, kind });
  }

  /** A conditional write needs a CAS id: 0 would make it unconditional (a server started with -C hands out 0). */
  #checkCondition(entry: CasTarget): void {
    if (entry === null || typeof entry !== 'object' || typeof entry.key !== 'string' || typeof entry.cas !== 'bigint') {
      throw new InvalidArgumentError('expected an Entry (from get, set, add, replace or cas) or a key');
    }
    if (entry.cas === 0n) throw new CasUnsupportedError(this.client.serverFor(entry.key), entry.key);
  }
}

/**
 * Creates a store over a new protocol client (no I/O until the first call).
 *
 * @param servers `'host:port'`, `'host:port:weight'`, a comma-separated list, or an array of those
 * @throws InvalidArgumentError for a malformed address or option
 */
export function connect(servers: ServerSpec | readonly ServerSpec[], options: ConnectOptions = {}): Store {
  const { codec, ...clientOptions } = options;
  return new Store(new Client(servers, clientOptions), codec);
}
