/**
 * One TCP connection to one memcached server, pipelined.
 *
 *            send()                 connect + handshake                 socket lost
 *   idle ─────────────▶ connecting ─────────────────────▶ ready ───────────────────▶ idle
 *     ▲                     │ failed                                (in-flight requests reject:
 *     │  retry time passed  ▼                                        their outcome is unknown)
 *     └──────────────── backoff  (requests fail fast with ConnectionError)
 *
 * Requests are encoded as they arrive and written once per tick (one
 * cork/uncork, one writev). memcached answers one connection's requests in
 * order, so replies are matched against the oldest request in flight by the
 * echoed opaque. Quiet requests (getkq, deleteq) get no reply on success: a
 * later reply overtaking them settles them, and a flush that ends with a
 * quiet request gets a NOOP appended as a fence, so none is left waiting.
 *
 * Nothing is ever resent: a request whose connection dropped may or may not
 * have been applied (cas, add and incr are not idempotent), so it rejects
 * with ConnectionClosedError and the caller decides. Requests not yet written
 * wait for the reconnect, within their own timeout.
 *
 * Every (re)connect starts with a handshake — `stats` and `stats settings` in
 * one write — so the server's epoch, CAS support and item size limit are
 * known before any of the caller's requests is checked and sent.
 */
import * as net from 'node:net';
import type { ServerAddress } from '../cluster/server-address';
import {
  CasUnsupportedError,
  ClientClosedError,
  ConnectionClosedError,
  ConnectionError,
  ProtocolError,
  QueueFullError,
  StaleCasError,
  TimeoutError,
  ValueTooLargeError,
} from '../errors';
import type { ClientMetrics } from '../metrics';
import type { ResolvedClientOptions } from '../options';
import { FrameParser } from '../wire/frame-parser';
import { FrameWriter } from '../wire/frame-writer';
import type { ResponseFrame } from '../wire/response-frame';
import { Fifo } from './fifo';
import { fenceRequest, handshakeRequest, NOOP_SPEC, statsSpec } from './handshake';
import { connectFailure, describe, inFlightFailure, replyTimeout, unsentTimeout, where } from './request-errors';
import { SocketReader } from './socket-reader';
import { MORE_FRAMES, Request, type RequestSpec } from './request';
import { serverInfoFromStats, type ServerInfo } from './server-info';

// Queues hold requests of every result type; each settles through its own handler.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyRequest = Request<any>;

type State = 'idle' | 'connecting' | 'ready' | 'backoff' | 'closed';

/** Encoded bytes buffered for one flush before further requests wait for the next one. */
const FLUSH_HIGH_WATER = 1024 * 1024;

export class Connection {
  readonly server: string;
  readonly #address: ServerAddress;
  readonly #options: ResolvedClientOptions;
  readonly #metrics: ClientMetrics;
  /** Used to read the handshake replies, before the real info is known. */
  readonly #provisionalInfo: ServerInfo;

  #state: State = 'idle';
  #socket: net.Socket | null = null;
  #info: ServerInfo | null = null;
  readonly #pending = new Fifo<AnyRequest>();
  readonly #inFlight = new Fifo<AnyRequest>();
  #writer = new FrameWriter();
  readonly #parser: FrameParser;
  #nextOpaque = 1;
  #flushScheduled = false;
  #needDrain = false;
  #lastEncodedQuiet = false;
  #timer: NodeJS.Timeout | null = null;
  #connectTimer: NodeJS.Timeout | null = null;
  #attempt = 0;
  #retryAt = 0;
  #lastError: Error | null = null;

  constructor(address: ServerAddress, options: ResolvedClientOptions, metrics: ClientMetrics) {
    this.server = address.key;
    this.#address = address;
    this.#options = options;
    this.#metrics = metrics;
    this.#parser = new FrameParser((frame) => this.#onFrame(frame));
    this.#provisionalInfo = serverInfoFromStats(
      this.server,
      new Map([['pid', '0'], ['time', '0'], ['uptime', '0'], ['version', '']]),
      new Map([['cas_enabled', 'yes'], ['item_size_max', '0'], ['evictions', 'on'], ['maxbytes', '0']]),
    );
  }

  /** What the last handshake learned, or null before the first one completed. */
  get info(): ServerInfo | null {
    return this.#info;
  }

  /** Requests queued or awaiting a reply. */
  get outstanding(): number {
    return this.#pending.length + this.#inFlight.length;
  }

  /** Queues a request; its promise settles exactly once, whatever happens to the connection. */
  send<T>(spec: RequestSpec<T>, quiet = false): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const request = new Request<T>(spec, quiet, resolve, reject) as AnyRequest;
      this.#submit(request);
    });
  }

  /** Connects if needed and returns what the handshake learned. */
  async serverInfo(): Promise<ServerInfo> {
    if (this.#state !== 'ready' || this.#info === null) await this.send(NOOP_SPEC);
    return this.#info!;
  }

  /** Rejects everything outstanding with ClientClosedError and closes the socket. */
  close(): Promise<void> {
    if (this.#state === 'closed') return Promise.resolve();
    this.#state = 'closed';
    this.#clearTimers();
    const socket = this.#socket;
    this.#socket = null;
    const requests = [...this.#inFlight.drain(), ...this.#pending.drain()];
    for (const request of requests) request.reject(new ClientClosedError(`the client was closed before ${describe(request)} completed`));
    if (socket === null || socket.destroyed) return Promise.resolve();
    return new Promise((resolve) => {
      socket.once('close', () => resolve());
      socket.destroy();
    });
  }

  #submit(request: AnyRequest): void {
    if (this.#state === 'closed') {
      request.reject(new ClientClosedError());
      return;
    }
    if (this.outstanding >= this.#options.maxQueueLength) {
      this.#fail(request, new QueueFullError(this.server, this.#options.maxQueueLength, request.key ?? undefined));
      return;
    }
    const now = Date.now();
    if (this.#state === 'backoff') {
      if (now < this.#retryAt) {
        const reason = this.#lastError?.message ?? 'unknown error';
        this.#fail(request, new ConnectionError(
          `${this.server} is unreachable (${reason}); next connection attempt in ${this.#retryAt - now} ms`,
          { cause: this.#lastError, ...where(request, this.server) },
        ));
        return;
      }
      this.#state = 'idle';
    }
    request.deadline = now + this.#options.requestTimeoutMs;
    if (this.#state === 'ready' && this.#canEncode()) {
      this.#encode(request);
    } else {
      this.#pending.push(request);
      if (this.#state === 'idle') this.#connect();
      else if (this.#state === 'ready') this.#scheduleFlush();
    }
    this.#armTimer(request.deadline);
  }

  #canEncode(): boolean {
    return !this.#needDrain && this.#pending.length === 0 && this.#writer.pendingBytes < FLUSH_HIGH_WATER;
  }

  #fail(request: AnyRequest, error: Error): void {
    this.#metrics.errors++;
    request.reject(error);
  }

  /** Checks that need the server's info, then encodes. Nothing is sent for a refused request. */
  #encode(request: AnyRequest): void {
    const info = this.#info!;
    if (request.cas !== 0n) {
      if (!info.casEnabled) return this.#fail(request, new CasUnsupportedError(this.server, request.key ?? undefined));
      if (request.casEpoch !== undefined && request.casEpoch !== '' && request.casEpoch !== info.epoch) {
        return this.#fail(request, new StaleCasError(request.casEpoch, info.epoch, where(request, this.server)));
      }
    }
    if (request.value !== null) {
      const limit = info.maxValueLength(request.keyLength, request.extras?.kind === 'store' ? request.extras.flags : 0);
      if (request.value.length > limit) {
        return this.#fail(request, new ValueTooLargeError(
          request.value.length, limit,
          `${describe(request)}: a ${request.value.length}-byte value exceeds the ${limit}-byte limit of ${this.server} (item_size_max ${info.itemSizeMax}); nothing was written`,
          where(request, this.server),
        ));
      }
    }
    this.#write(request);
  }

  #write(request: AnyRequest): void {
    request.opaque = this.#nextOpaque;
    this.#nextOpaque = this.#nextOpaque === 0xffffffff ? 1 : this.#nextOpaque + 1;
    this.#writer.write(request);
    this.#inFlight.push(request);
    this.#metrics.requests++;
    this.#lastEncodedQuiet = request.quiet;
    this.#scheduleFlush();
  }

  #scheduleFlush(): void {
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    setImmediate(this.#flush);
  }

  readonly #flush = (): void => {
    this.#flushScheduled = false;
    const socket = this.#socket;
    if (socket === null || this.#state !== 'ready') return;
    this.#pump();
    if (this.#lastEncodedQuiet) {
      // A quiet request last in the batch would wait for an unrelated later
      // reply; a NOOP fence settles it now, at no extra round trip.
      this.#write(fenceRequest(this.#options.requestTimeoutMs) as AnyRequest);
    }
    this.#writeChunks(socket);
  };

  /** Writes everything encoded so far in one corked batch (one writev). */
  #writeChunks(socket: net.Socket): void {
    const chunks = this.#writer.take();
    if (chunks.length === 0) return;
    socket.cork();
    for (const chunk of chunks) socket.write(chunk);
    socket.uncork();
    this.#metrics.writes++;
    if (socket.writableNeedDrain) {
      this.#needDrain = true;
      socket.once('drain', () => {
        if (socket !== this.#socket) return;
        this.#needDrain = false;
        this.#pump();
      });
    } else if (this.#pending.length > 0) {
      this.#pump();
    }
  }

  /** Moves queued requests into the writer, up to one flush's worth. */
  #pump(): void {
    if (this.#state !== 'ready') return;
    while (this.#pending.length > 0 && !this.#needDrain && this.#writer.pendingBytes < FLUSH_HIGH_WATER) {
      this.#encode(this.#pending.shift()!);
    }
  }

  #connect(): void {
    this.#state = 'connecting';
    const reader = new SocketReader(this.#parser);
    const socket: net.Socket = net.createConnection({
      host: this.#address.host,
      port: this.#address.port,
      onread: {
        buffer: () => reader.next(),
        callback: (count: number) => {
          if (socket !== this.#socket) return false;
          try {
            reader.received(count);
          } catch (error) {
            const failure = error instanceof ProtocolError ? error : new ProtocolError(`failed to handle a reply from ${this.server}`, { cause: error, server: this.server });
            this.#lost(socket, failure);
            return false;
          }
          return true;
        },
      },
    });
    this.#socket = socket;
    socket.setNoDelay(this.#options.noDelay);
    if (this.#options.keepAliveMs > 0) socket.setKeepAlive(true, this.#options.keepAliveMs);
    this.#connectTimer = setTimeout(() => {
      const timeout = this.#options.connectTimeoutMs;
      this.#lost(socket, new TimeoutError('connect', timeout, `could not connect to ${this.server} within ${timeout} ms`, { server: this.server }));
    }, this.#options.connectTimeoutMs);
    socket.on('connect', () => this.#handshake(socket));
    socket.on('error', (error) => this.#lost(socket, error));
    socket.on('close', () => this.#lost(socket, null));
  }

  #handshake(socket: net.Socket): void {
    if (socket !== this.#socket) return;
    const general = new Promise<Map<string, string>>((resolve, reject) => this.#write(handshakeRequest(statsSpec(null), resolve, reject)));
    const settings = new Promise<Map<string, string>>((resolve, reject) => this.#write(handshakeRequest(statsSpec('settings'), resolve, reject)));
    this.#writeChunks(socket);
    Promise.all([general, settings]).then(
      ([generalStats, settingsStats]) => {
        if (socket !== this.#socket) return;
        try {
          this.#info = serverInfoFromStats(this.server, generalStats, settingsStats);
        } catch (error) {
          this.#lost(socket, error as Error);
          return;
        }
        clearTimeout(this.#connectTimer!);
        this.#connectTimer = null;
        this.#state = 'ready';
        this.#attempt = 0;
        this.#lastError = null;
        this.#pump();
      },
      () => {}, // the connection failed meanwhile; #lost handled it
    );
  }

  #onFrame(frame: ResponseFrame): void {
    this.#metrics.responses++;
    for (;;) {
      const head = this.#inFlight.peek();
      if (head === undefined) {
        throw new ProtocolError(`unexpected reply (opaque ${frame.opaque}) from ${this.server}: no request is waiting`, { server: this.server });
      }
      if (head.opaque === frame.opaque) {
        if (head.opcode !== frame.opcode) {
          throw new ProtocolError(`reply opcode 0x${frame.opcode.toString(16)} does not match request ${describe(head)}`, { server: this.server });
        }
        let result: unknown;
        try {
          result = head.handler.onFrame(frame, head, this.#info ?? this.#provisionalInfo);
        } catch (error) {
          if (error instanceof ProtocolError) throw error;
          this.#inFlight.shift();
          this.#fail(head, error as Error);
          return;
        }
        if (result === MORE_FRAMES) return;
        this.#inFlight.shift();
        head.resolve(result);
        return;
      }
      if (!head.quiet || head.handler.onSilence === undefined) {
        throw new ProtocolError(`reply opaque ${frame.opaque} from ${this.server} does not match the oldest request in flight (${describe(head)}, opaque ${head.opaque})`, { server: this.server });
      }
      this.#inFlight.shift();
      head.resolve(head.handler.onSilence(head));
    }
  }

  /** The socket failed or closed (or we gave up on it): settle what it carried. */
  #lost(socket: net.Socket, error: Error | null): void {
    if (socket !== this.#socket) return;
    this.#socket = null;
    socket.destroy();
    if (this.#connectTimer !== null) clearTimeout(this.#connectTimer);
    this.#connectTimer = null;
    this.#parser.reset();
    this.#writer = new FrameWriter(); // bytes of requests that are about to be rejected
    this.#needDrain = false;
    this.#lastEncodedQuiet = false;
    const inFlight = this.#inFlight.drain();

    if (this.#state === 'connecting') {
      const cause = error ?? new Error('connection closed during the handshake');
      this.#attempt++;
      this.#lastError = cause;
      this.#retryAt = Date.now() + this.#options.reconnectStrategy(this.#attempt, cause);
      this.#state = 'backoff';
      const failed = [...inFlight, ...this.#pending.drain()];
      for (const request of failed) this.#fail(request, connectFailure(request, this.server, cause));
      return;
    }

    this.#state = 'idle';
    for (const request of inFlight) this.#fail(request, inFlightFailure(request, this.server, error));
    if (this.#pending.length > 0) this.#connect();
  }

  #armTimer(deadline: number): void {
    if (this.#timer !== null) return;
    this.#timer = setTimeout(this.#sweep, Math.max(1, deadline - Date.now() + 1));
    this.#timer.unref();
  }

  /** Times out requests past their deadline. Deadlines grow in FIFO order, so the heads are the oldest. */
  readonly #sweep = (): void => {
    this.#timer = null;
    const now = Date.now();
    const timeoutMs = this.#options.requestTimeoutMs;
    while ((this.#pending.peek()?.deadline ?? Infinity) <= now) {
      const request = this.#pending.shift()!;
      this.#fail(request, unsentTimeout(request, this.server, timeoutMs));
    }
    const head = this.#inFlight.peek();
    if (head !== undefined && head.deadline <= now && this.#socket !== null) {
      this.#inFlight.shift();
      const timeout = replyTimeout(head, this.server, timeoutMs);
      this.#fail(head, timeout);
      // The stream's state is unknown now: close it rather than match later replies against it.
      this.#lost(this.#socket, new ConnectionClosedError(`connection to ${this.server} closed after a request timed out`, { cause: timeout, server: this.server }));
    }
    const next = Math.min(this.#pending.peek()?.deadline ?? Infinity, this.#inFlight.peek()?.deadline ?? Infinity);
    if (next !== Infinity) this.#armTimer(next);
  };

  #clearTimers(): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    if (this.#connectTimer !== null) clearTimeout(this.#connectTimer);
    this.#timer = null;
    this.#connectTimer = null;
  }
}
