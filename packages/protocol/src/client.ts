/**
 * The public memcached client: binary protocol, explicit CAS ids, pipelined,
 * over one or many servers.
 *
 * Every request is validated before it is queued (key, ttl, flags, value
 * size, CAS support, CAS epoch), so bad input rejects with a typed error and
 * nothing is sent. A CAS mismatch, an add on an existing key or a miss is an
 * ordinary result (`null`/`false`), never an exception.
 */
import { HashRing } from './cluster/hash-ring';
import { parseServerList, type ServerSpec } from './cluster/server-address';
import { CounterCommand } from './commands/counter';
import { DeleteCommand } from './commands/delete';
import { GetCommand } from './commands/get';
import { FLUSH, NOOP, VERSION } from './commands/simple';
import { StatsCommand } from './commands/stats';
import { StoreCommand, type StoreMode } from './commands/store';
import { TouchCommand } from './commands/touch';
import type { Command } from './connection/command';
import { Connection } from './connection/connection';
import type { ServerInfo } from './connection/server-info';
import type { Wire } from './connection/wire';
import { ClientClosedError, InvalidArgumentError } from './errors';
import type { Item } from './item';
import { toBuffer, validateCas, validateCounterOperand, validateFlags, validateKey, validateRequiredTtl, validateTtl } from './keys';
import { createMetrics, type ClientMetrics } from './metrics';
import type { ClientOptions, Protocol, ResolvedClientOptions } from './options';
import { binaryWire } from './protocols/binary';
import { metaWire } from './protocols/meta';
import { resolveOptions } from './resolve-options';
import { COUNTER_NO_CREATE } from './wire/constants';

/** A value to store: bytes, or a string stored as UTF-8. */
export type Value = Buffer | Uint8Array | string;

/** A CAS id and, ideally, the epoch it was read in (both are on every {@link Item}). */
export interface CasCondition {
  /** Write only if the item still has this CAS id. Omit for an unconditional write (0n is refused: it is no condition). */
  cas?: bigint;
  /** The `epoch` of the item the CAS came from; a CAS from before a server restart is refused. */
  epoch?: string;
}

export interface StoreOptions extends CasCondition {
  /** 32-bit client flags stored with the item. Default 0. */
  flags?: number;
  /** Seconds until expiry; 0 (default) = never; over 30 days = a Unix time. */
  ttl?: number;
}

export interface GetOptions {
  /**
   * Read from this server (`host:port`, one of {@link Client.servers})
   * instead of the key's owner: for looking for an item where the server
   * list no longer places it (after the list changed), never for ordinary
   * reads. @throws InvalidArgumentError if it is not one of `servers`.
   */
  server?: string;
}

export interface CounterOptions {
  /** Create a missing counter with this value (the delta is not applied). Omit to leave a missing counter missing. */
  initial?: number | bigint;
  /** Expiry of a counter created from `initial`, in seconds. */
  ttl?: number;
}

/** A stats group: words of printable ASCII (it becomes part of a text line on the meta wire). */
const STATS_GROUP = /^[\x21-\x7e]+( [\x21-\x7e]+)*$/;

export class Client {
  /** Counters across all servers; see {@link ClientMetrics}. */
  readonly metrics: ClientMetrics = createMetrics();
  /** The servers, as `host:port`, in the order given. */
  readonly servers: readonly string[];
  /** The wire protocol every connection speaks. */
  readonly protocol: Protocol;
  readonly #options: ResolvedClientOptions;
  readonly #wire: Wire;
  readonly #ring: HashRing;
  readonly #connections = new Map<string, Connection>();
  #closed = false;

  /**
   * @param servers `'host:port'`, `'host:port:weight'`, a comma-separated list, an array of those, or `{host, port, weight}` objects.
   * @throws InvalidArgumentError for a malformed address or option.
   */
  constructor(servers: ServerSpec | readonly ServerSpec[], options: ClientOptions = {}) {
    this.#options = resolveOptions(options);
    this.protocol = this.#options.protocol;
    this.#wire = this.protocol === 'meta' ? metaWire(this.#options.auth) : binaryWire(this.#options.sasl);
    const addresses = parseServerList(servers);
    this.#ring = new HashRing(addresses, { pointsPerServer: this.#options.pointsPerServer });
    for (const address of addresses) this.#connections.set(address.key, new Connection(address, this.#options, this.metrics, this.#wire));
    this.servers = addresses.map((address) => address.key);
  }

  /** The server (`host:port`) that owns `key`. A `{tag}` prefix places keys with the same tag together. */
  serverFor(key: string): string {
    validateKey(key);
    return this.#ring.serverFor(key);
  }

  /** What the client learned from the server owning `key` (or the named server) on connect: epoch, CAS support, limits. */
  async serverInfo(keyOrServer?: string): Promise<ServerInfo> {
    return this.#connectionOf(keyOrServer).serverInfo();
  }

  /** Reads an item with its flags and CAS, or `null` if missing; from its owner, or from `options.server`. */
  async get(key: string, options: GetOptions = {}): Promise<Item | null> {
    const command = new GetCommand(key, validateKey(key), false);
    return options.server === undefined ? this.#send(command) : this.#connectionNamed(options.server).send(command);
  }

  /**
   * Reads many keys: one pipelined batch per server (binary: quiet gets and
   * a NOOP fence; meta: gets), all servers in parallel. Missing keys are
   * absent from the map.
   */
  async getMulti(keys: Iterable<string>): Promise<Map<string, Item>> {
    const unique = [...new Set(keys)];
    const lengths = unique.map((key) => validateKey(key));
    this.#checkOpen();
    const quiet = this.#wire.fence !== null;
    const items = await Promise.all(unique.map((key, index) => this.#send(new GetCommand(key, lengths[index]!, quiet))));
    const found = new Map<string, Item>();
    for (const item of items) if (item !== null) found.set(item.key, item);
    return found;
  }

  /** Stores unconditionally, or only if the CAS still matches. Returns the new CAS, or `null` on a CAS mismatch or (with a CAS) a missing key. */
  async set(key: string, value: Value, options: StoreOptions = {}): Promise<bigint | null> {
    return this.#store('set', key, value, options);
  }

  /** Stores only if the key is absent. Returns the new CAS, or `null` if it exists. */
  async add(key: string, value: Value, options: Omit<StoreOptions, 'cas' | 'epoch'> = {}): Promise<bigint | null> {
    return this.#store('add', key, value, options);
  }

  /** Stores only if the key exists (and the CAS matches, if given). Returns the new CAS, or `null`. */
  async replace(key: string, value: Value, options: StoreOptions = {}): Promise<bigint | null> {
    return this.#store('replace', key, value, options);
  }

  /** Appends bytes to an existing value. Returns the new CAS, or `null` if missing (or the CAS mismatched). */
  async append(key: string, value: Value, options: CasCondition = {}): Promise<bigint | null> {
    return this.#store('append', key, value, options);
  }

  /** Prepends bytes to an existing value. Returns the new CAS, or `null` if missing (or the CAS mismatched). */
  async prepend(key: string, value: Value, options: CasCondition = {}): Promise<bigint | null> {
    return this.#store('prepend', key, value, options);
  }

  /** Deletes; with a CAS only if it still matches. `true` if deleted, `false` if missing or mismatched. */
  async delete(key: string, options: CasCondition = {}): Promise<boolean> {
    const cas = validateCas(options.cas);
    return this.#send(new DeleteCommand(key, validateKey(key), cas, options.epoch, false));
  }

  /**
   * Fire-and-forget delete (binary DELETEQ: no reply on success; meta: an
   * `md` whose reply nobody waits for): it rides along with whatever is sent
   * next and costs no round trip of its own. You may
   * await the result (`true` deleted, `false` missing or mismatched), or not:
   * every failure (but closing the client) is also passed to
   * `options.onBackgroundError`, so one nobody awaits is still seen — a
   * delete that did not happen leaves an item behind. Bad arguments throw at once.
   */
  deleteQuiet(key: string, options: CasCondition = {}): Promise<boolean> {
    // Bad arguments throw here, to the caller; only failures on the way go to the background channel.
    const cas = validateCas(options.cas);
    const keyLength = validateKey(key);
    if (this.#closed) return Promise.reject(new ClientClosedError());
    const result = this.#send(new DeleteCommand(key, keyLength, cas, options.epoch, this.#wire.fence !== null));
    result.catch((error: Error) => {
      if (!(error instanceof ClientClosedError)) this.#options.onBackgroundError(error);
    });
    return result;
  }

  /** Adds to a counter (a decimal ASCII value). Returns the new value, or `null` if missing and no `initial` was given. */
  async incr(key: string, delta: number | bigint = 1n, options: CounterOptions = {}): Promise<bigint | null> {
    return this.#counter('incr', key, delta, options);
  }

  /** Subtracts from a counter, stopping at 0. Returns the new value, or `null` if missing and no `initial` was given. */
  async decr(key: string, delta: number | bigint = 1n, options: CounterOptions = {}): Promise<bigint | null> {
    return this.#counter('decr', key, delta, options);
  }

  /** Sets a new expiry (seconds; 0 = never, which must be said: the ttl is required). `true` if the item exists. */
  async touch(key: string, ttl: number): Promise<boolean> {
    const seconds = validateRequiredTtl(ttl);
    return this.#send(new TouchCommand(key, validateKey(key), seconds));
  }

  /** Round trip to every server (or one, named as in {@link Client.servers}): resolves when all answered. */
  async noop(server?: string): Promise<void> {
    await this.#everyServer(server, NOOP);
  }

  /** Each server's version, by `host:port`. */
  async version(): Promise<Map<string, string>> {
    return this.#everyServer(undefined, VERSION);
  }

  /** Statistics of each server, by `host:port`. `group`: e.g. `'settings'`, `'items'`, `'slabs'`; omit for general stats. */
  async stats(group?: string): Promise<Map<string, Map<string, string>>> {
    if (group !== undefined && (typeof group !== 'string' || !STATS_GROUP.test(group))) {
      throw new InvalidArgumentError(`a stats group is words of printable ASCII, got ${JSON.stringify(group)}`);
    }
    return this.#everyServer(undefined, new StatsCommand(group ?? null));
  }

  /** Invalidates every item on every server. */
  async flush(): Promise<void> {
    await this.#everyServer(undefined, FLUSH);
  }

  /** Closes every connection. Everything queued or in flight rejects with `ClientClosedError`; later calls do too. */
  async close(): Promise<void> {
    this.#closed = true;
    await Promise.all([...this.#connections.values()].map((connection) => connection.close()));
  }

  async #store(mode: StoreMode, key: string, value: Value, options: StoreOptions): Promise<bigint | null> {
    const bytes = toBuffer(value);
    const concatenates = mode === 'append' || mode === 'prepend';
    const flags = concatenates ? 0 : validateFlags(options.flags);
    const ttl = concatenates ? 0 : validateTtl(options.ttl);
    const cas = validateCas(options.cas);
    return this.#send(new StoreCommand(mode, key, validateKey(key), bytes, flags, ttl, cas, options.epoch));
  }

  async #counter(name: 'incr' | 'decr', key: string, delta: number | bigint, options: CounterOptions): Promise<bigint | null> {
    const checkedDelta = validateCounterOperand('delta', delta, 1n);
    const initial = validateCounterOperand('initial', options.initial, 0n);
    // 0xffffffff is memcached's "do not create" marker, so a created counter's ttl must stay below it.
    const ttl = options.initial === undefined ? (validateTtl(options.ttl), COUNTER_NO_CREATE) : validateCounterTtl(options.ttl);
    return this.#send(new CounterCommand(name, key, validateKey(key), checkedDelta, initial, ttl));
  }

  /** Sends a keyed command to the server owning its key (the key was validated by the caller). */
  #send<T>(command: Command<T>): Promise<T> {
    this.#checkOpen();
    return this.#connections.get(this.#ring.serverFor(command.key!))!.send(command);
  }

  async #everyServer<T>(server: string | undefined, command: Command<T>): Promise<Map<string, T>> {
    this.#checkOpen();
    const connections = server === undefined ? [...this.#connections.values()] : [this.#connectionNamed(server)];
    const results = await Promise.all(connections.map((connection) => connection.send(command)));
    return new Map(connections.map((connection, index) => [connection.server, results[index]!]));
  }

  /** The connection of a server named `host:port`, else of the server owning that key; the first server when omitted. */
  #connectionOf(keyOrServer: string | undefined): Connection {
    this.#checkOpen();
    if (keyOrServer === undefined) return this.#connections.values().next().value!;
    return this.#connections.get(keyOrServer) ?? this.#connections.get(this.serverFor(keyOrServer))!;
  }

  /** The connection of a server named exactly as in `servers` (never read as a key: a typo must not reach some other server). */
  #connectionNamed(server: string): Connection {
    this.#checkOpen();
    const connection = typeof server === 'string' ? this.#connections.get(server) : undefined;
    if (connection === undefined) throw new InvalidArgumentError(`server must be one of this client's servers (${this.servers.join(', ')}), got ${describeServer(server)}`);
    return connection;
  }

  #checkOpen(): void {
    if (this.#closed) throw new ClientClosedError();
  }
}

function describeServer(server: unknown): string {
  return typeof server === 'string' ? JSON.stringify(server) : typeof server;
}

function validateCounterTtl(ttl: number | undefined): number {
  const seconds = validateTtl(ttl);
  if (seconds === COUNTER_NO_CREATE) throw new InvalidArgumentError(`a counter created from \`initial\` cannot have ttl ${COUNTER_NO_CREATE}: memcached reads it as "do not create"`);
  return seconds;
}
