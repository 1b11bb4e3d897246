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
import { counterHandler } from './commands/counter';
import { deleteHandler } from './commands/delete';
import { getHandler } from './commands/get';
import { acknowledgeHandler, versionHandler } from './commands/simple';
import { statsHandler } from './commands/stats';
import { storeHandler } from './commands/store';
import { touchHandler } from './commands/touch';
import { Connection } from './connection/connection';
import type { RequestSpec, ResponseHandler } from './connection/request';
import type { ServerInfo } from './connection/server-info';
import { ClientClosedError, InvalidArgumentError } from './errors';
import type { Item } from './item';
import { toBuffer, validateCas, validateCounterOperand, validateFlags, validateKey, validateTtl } from './keys';
import { createMetrics, type ClientMetrics } from './metrics';
import { DEFAULT_CLIENT_OPTIONS, type ClientOptions, type ResolvedClientOptions } from './options';
import { COUNTER_NO_CREATE, Opcode } from './wire/constants';
import type { RequestExtras } from './wire/frame-writer';

/** A value to store: bytes, or a string stored as UTF-8. */
export type Value = Buffer | Uint8Array | string;

/** A CAS id and, ideally, the epoch it was read in (both are on every {@link Item}). */
export interface CasCondition {
  /** Write only if the item still has this CAS id. Omit (or 0n) for an unconditional write. */
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

export interface CounterOptions {
  /** Create a missing counter with this value (the delta is not applied). Omit to leave a missing counter missing. */
  initial?: number | bigint;
  /** Expiry of a counter created from `initial`, in seconds. */
  ttl?: number;
}

type StoreOpcode = typeof Opcode.Set | typeof Opcode.Add | typeof Opcode.Replace | typeof Opcode.Append | typeof Opcode.Prepend;

export class Client {
  /** Counters across all servers; see {@link ClientMetrics}. */
  readonly metrics: ClientMetrics = createMetrics();
  /** The servers, as `host:port`, in the order given. */
  readonly servers: readonly string[];
  readonly #options: ResolvedClientOptions;
  readonly #ring: HashRing;
  readonly #connections = new Map<string, Connection>();
  #closed = false;

  /**
   * @param servers `'host:port'`, `'host:port:weight'`, a comma-separated list, an array of those, or `{host, port, weight}` objects.
   * @throws InvalidArgumentError for a malformed address or option.
   */
  constructor(servers: ServerSpec | readonly ServerSpec[], options: ClientOptions = {}) {
    this.#options = resolveOptions(options);
    const addresses = parseServerList(servers);
    this.#ring = new HashRing(addresses, { pointsPerServer: this.#options.pointsPerServer });
    for (const address of addresses) this.#connections.set(address.key, new Connection(address, this.#options, this.metrics));
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

  /** Reads an item with its flags and CAS, or `null` if missing. */
  async get(key: string): Promise<Item | null> {
    return this.#send(key, Opcode.Get, null, null, 0n, undefined, getHandler);
  }

  /**
   * Reads many keys: one pipelined batch per server (quiet gets and a NOOP
   * fence), all servers in parallel. Missing keys are absent from the map.
   */
  async getMulti(keys: Iterable<string>): Promise<Map<string, Item>> {
    const unique = [...new Set(keys)];
    for (const key of unique) validateKey(key);
    this.#checkOpen();
    const items = await Promise.all(unique.map((key) => this.#send(key, Opcode.GetKQ, null, null, 0n, undefined, getHandler, true)));
    const found = new Map<string, Item>();
    for (const item of items) if (item !== null) found.set(item.key, item);
    return found;
  }

  /** Stores unconditionally, or only if the CAS still matches. Returns the new CAS, or `null` on a CAS mismatch or (with a CAS) a missing key. */
  async set(key: string, value: Value, options: StoreOptions = {}): Promise<bigint | null> {
    return this.#store(Opcode.Set, key, value, options);
  }

  /** Stores only if the key is absent. Returns the new CAS, or `null` if it exists. */
  async add(key: string, value: Value, options: Omit<StoreOptions, 'cas' | 'epoch'> = {}): Promise<bigint | null> {
    return this.#store(Opcode.Add, key, value, options);
  }

  /** Stores only if the key exists (and the CAS matches, if given). Returns the new CAS, or `null`. */
  async replace(key: string, value: Value, options: StoreOptions = {}): Promise<bigint | null> {
    return this.#store(Opcode.Replace, key, value, options);
  }

  /** Appends bytes to an existing value. Returns the new CAS, or `null` if missing (or the CAS mismatched). */
  async append(key: string, value: Value, options: CasCondition = {}): Promise<bigint | null> {
    return this.#store(Opcode.Append, key, value, options);
  }

  /** Prepends bytes to an existing value. Returns the new CAS, or `null` if missing (or the CAS mismatched). */
  async prepend(key: string, value: Value, options: CasCondition = {}): Promise<bigint | null> {
    return this.#store(Opcode.Prepend, key, value, options);
  }

  /** Deletes; with a CAS only if it still matches. `true` if deleted, `false` if missing or mismatched. */
  async delete(key: string, options: CasCondition = {}): Promise<boolean> {
    return this.#send(key, Opcode.Delete, null, null, validateCas(options.cas), options.epoch, deleteHandler);
  }

  /**
   * Fire-and-forget delete (DELETEQ): no reply on success, so it rides along
   * with whatever is sent next and costs no round trip of its own. You may
   * await the result (`true` deleted, `false` missing or mismatched), or not:
   * every failure (but closing the client) is also passed to
   * `options.onBackgroundError`, so one nobody awaits is still seen — a
   * delete that did not happen leaves an item behind. Bad arguments throw at once.
   */
  deleteQuiet(key: string, options: CasCondition = {}): Promise<boolean> {
    // Bad arguments throw here, to the caller; only failures on the way go to the background channel.
    const cas = validateCas(options.cas);
    validateKey(key);
    if (this.#closed) return Promise.reject(new ClientClosedError());
    const result = this.#send(key, Opcode.DeleteQ, null, null, cas, options.epoch, deleteHandler, true);
    result.catch((error: Error) => {
      if (!(error instanceof ClientClosedError)) this.#options.onBackgroundError(error);
    });
    return result;
  }

  /** Adds to a counter (a decimal ASCII value). Returns the new value, or `null` if missing and no `initial` was given. */
  async incr(key: string, delta: number | bigint = 1n, options: CounterOptions = {}): Promise<bigint | null> {
    return this.#counter(Opcode.Increment, key, delta, options);
  }

  /** Subtracts from a counter, stopping at 0. Returns the new value, or `null` if missing and no `initial` was given. */
  async decr(key: string, delta: number | bigint = 1n, options: CounterOptions = {}): Promise<bigint | null> {
    return this.#counter(Opcode.Decrement, key, delta, options);
  }

  /** Sets a new expiry (seconds; 0 = never). `true` if the item exists. */
  async touch(key: string, ttl: number): Promise<boolean> {
    const extras: RequestExtras = { kind: 'ttl', ttl: validateTtl(ttl) };
    return this.#send(key, Opcode.Touch, extras, null, 0n, undefined, touchHandler);
  }

  /** Round trip to every server (or one): resolves when all answered. */
  async noop(server?: string): Promise<void> {
    await this.#everyServer(server, Opcode.Noop, null, acknowledgeHandler);
  }

  /** Each server's version, by `host:port`. */
  async version(): Promise<Map<string, string>> {
    return this.#everyServer(undefined, Opcode.Version, null, versionHandler);
  }

  /** Statistics of each server, by `host:port`. `group`: e.g. `'settings'`, `'items'`, `'slabs'`; omit for general stats. */
  async stats(group?: string): Promise<Map<string, Map<string, string>>> {
    return this.#everyServer(undefined, Opcode.Stat, group ?? null, statsHandler);
  }

  /** Invalidates every item on every server. */
  async flush(): Promise<void> {
    await this.#everyServer(undefined, Opcode.Flush, null, acknowledgeHandler);
  }

  /** Closes every connection. Everything queued or in flight rejects with `ClientClosedError`; later calls do too. */
  async close(): Promise<void> {
    this.#closed = true;
    await Promise.all([...this.#connections.values()].map((connection) => connection.close()));
  }

  async #store(opcode: StoreOpcode, key: string, value: Value, options: StoreOptions): Promise<bigint | null> {
    const bytes = toBuffer(value);
    const concatenates = opcode === Opcode.Append || opcode === Opcode.Prepend;
    // append/prepend carry no extras: they keep the item's flags and expiry.
    const extras: RequestExtras | null = concatenates
      ? null
      : { kind: 'store', flags: validateFlags(options.flags), ttl: validateTtl(options.ttl) };
    return this.#send(key, opcode, extras, bytes, validateCas(options.cas), options.epoch, storeHandler);
  }

  async #counter(opcode: typeof Opcode.Increment | typeof Opcode.Decrement, key: string, delta: number | bigint, options: CounterOptions): Promise<bigint | null> {
    const extras: RequestExtras = {
      kind: 'counter',
      delta: validateCounterOperand('delta', delta, 1n),
      initial: validateCounterOperand('initial', options.initial, 0n),
      // 0xffffffff is memcached's "do not create" marker, so a created counter's ttl must stay below it.
      ttl: options.initial === undefined ? (validateTtl(options.ttl), COUNTER_NO_CREATE) : validateCounterTtl(options.ttl),
    };
    const result = await this.#send(key, opcode, extras, null, 0n, undefined, counterHandler);
    return result === null ? null : result.value;
  }

  #send<T>(
    key: string, opcode: number, extras: RequestExtras | null, value: Buffer | null,
    cas: bigint, casEpoch: string | undefined, handler: ResponseHandler<T>, quiet = false,
  ): Promise<T> {
    const keyLength = validateKey(key);
    this.#checkOpen();
    const connection = this.#connections.get(this.#ring.serverFor(key))!;
    const spec: RequestSpec<T> = { opcode, key, keyLength, extras, value, cas, casEpoch, handler };
    return connection.send(spec, quiet);
  }

  async #everyServer<T>(server: string | undefined, opcode: number, key: string | null, handler: ResponseHandler<T>): Promise<Map<string, T>> {
    this.#checkOpen();
    const connections = server === undefined ? [...this.#connections.values()] : [this.#connectionOf(server)];
    const spec: RequestSpec<T> = {
      opcode, key, keyLength: key === null ? 0 : Buffer.byteLength(key), extras: null, value: null, cas: 0n, handler,
    };
    const results = await Promise.all(connections.map((connection) => connection.send(spec)));
    return new Map(connections.map((connection, index) => [connection.server, results[index]!]));
  }

  /** The connection of a server named `host:port`, else of the server owning that key; the first server when omitted. */
  #connectionOf(keyOrServer: string | undefined): Connection {
    this.#checkOpen();
    if (keyOrServer === undefined) return this.#connections.values().next().value!;
    return this.#connections.get(keyOrServer) ?? this.#connections.get(this.serverFor(keyOrServer))!;
  }

  #checkOpen(): void {
    if (this.#closed) throw new ClientClosedError();
  }
}

function validateCounterTtl(ttl: number | undefined): number {
  const seconds = validateTtl(ttl);
  if (seconds === COUNTER_NO_CREATE) throw new InvalidArgumentError(`a counter created from \`initial\` cannot have ttl ${COUNTER_NO_CREATE}: memcached reads it as "do not create"`);
  return seconds;
}

function resolveOptions(options: ClientOptions): ResolvedClientOptions {
  const resolved = { ...DEFAULT_CLIENT_OPTIONS };
  for (const [name, value] of Object.entries(options)) {
    if (value === undefined) continue;
    if (!(name in DEFAULT_CLIENT_OPTIONS)) throw new InvalidArgumentError(`unknown client option "${name}"`);
    (resolved as Record<string, unknown>)[name] = value;
  }
  for (const name of ['connectTimeoutMs', 'requestTimeoutMs', 'maxQueueLength'] as const) {
    const value = resolved[name];
    if (!Number.isFinite(value) || value <= 0) throw new InvalidArgumentError(`option ${name} must be a positive number, got ${value}`);
  }
  // The other options are used only later, inside socket event handlers, where a
  // wrong type (e.g. a reconnectStrategy that is not a function, from JavaScript)
  // would surface as an uncaught TypeError instead of an error from the constructor.
  if (!Number.isFinite(resolved.keepAliveMs) || resolved.keepAliveMs < 0) {
    throw new InvalidArgumentError(`option keepAliveMs must be a number >= 0 (0 disables keep-alive), got ${String(resolved.keepAliveMs)}`);
  }
  if (typeof resolved.noDelay !== 'boolean') throw new InvalidArgumentError(`option noDelay must be a boolean, got ${typeof resolved.noDelay}`);
  for (const name of ['reconnectStrategy', 'onBackgroundError'] as const) {
    if (typeof resolved[name] !== 'function') throw new InvalidArgumentError(`option ${name} must be a function, got ${typeof resolved[name]}`);
  }
  return resolved;
}
