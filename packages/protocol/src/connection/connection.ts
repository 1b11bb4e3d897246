/**
 * One connection (TCP or TLS) to one memcached server, pipelined, speaking
 * the binary or the meta protocol through a {@link Wire}.
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
 * echoed opaque (a meta reply without one, such as an error line, belongs to
 * the oldest). Quiet binary requests (getkq, deleteq) get no reply on
 * success: a later reply overtaking them settles them, and a flush that ends
 * with a quiet request gets a NOOP appended as a fence, so none is left
 * waiting. (The meta wire sends no quiet requests: its error lines carry no
 * opaque, so an error of a quiet request could not be told from one of the
 * request after it.)
 *
 * Nothing is ever resent: a request whose connection dropped may or may not
 * have been applied (cas, add and incr are not idempotent), so it rejects
 * with ConnectionClosedError and the caller decides. Requests not yet written
 * wait for the reconnect, within their own timeout.
 *
 * Every (re)connect starts with the wire's handshake (run-handshake.ts:
 * authentication if configured, then `stats` and `stats settings`), so the
 * server's epoch, CAS support and item size limit are known before any of
 * the caller's requests is checked and sent.
 */
import type * as net from 'node:net';
import type { ServerAddress } from '../cluster/server-address';
import { ClientClosedError, ConnectionClosedError, ProtocolError, QueueFullError } from '../errors';
import type { ClientMetrics } from '../metrics';
import type { ResolvedClientOptions } from '../options';
import { commandChannel, publishClose, publishConnect, publishLost, traceEncoded, traceSend } from '../tracing';
import { HANDSHAKE_BODY_LIMIT, REPLY_OVERHEAD } from '../wire/constants';
import { MORE_REPLIES, type Command } from './command';
import { Fifo } from './fifo';
import { FlightWindow } from './flight-window';
import { openSocket } from './open-socket';
import { backoffFailure, refusal, connectCause, connectFailure, connectTimeout, describe, inFlightFailure, replyTimeout, unsentTimeout } from './request-errors';
import { runHandshake } from './run-handshake';
import { Request } from './request';
import { provisionalInfo, type ServerInfo } from './server-info';
import { SocketReader } from './socket-reader';
import { StallWatch } from './stall-watch';
import type { ReplyParser, RequestEncoder, Wire, WireReply } from './wire';

// Queues hold requests of every result type; each settles through its own handler.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyRequest = Request<any>;

type State = 'idle' | 'connecting' | 'ready' | 'backoff' | 'closed';

/** How long a TLS connection may stay silent with requests in flight before a NOOP nudges memcached (see StallWatch). */
const STALL_CHECK_MS = 10;
/** Encoded bytes buffered for one flush before further requests wait for the next one. */
const FLUSH_HIGH_WATER = 1024 * 1024;

export class Connection {
  readonly server: string;
  readonly #address: ServerAddress;
  readonly #options: ResolvedClientOptions;
  readonly #metrics: ClientMetrics;
  readonly #wire: Wire;
  /** Used to read the handshake replies, before the real info is known. */
  readonly #provisionalInfo: ServerInfo;

  #state: State = 'idle';
  #socket: net.Socket | null = null;
  #info: ServerInfo | null = null;
  readonly #pending = new Fifo<AnyRequest>();
  readonly #inFlight = new Fifo<AnyRequest>();
  #writer: RequestEncoder;
  readonly #parser: ReplyParser;
  /** Bounds the request bytes written and unanswered (see FlightWindow). */
  readonly #window: FlightWindow;
  /** Whether the current socket received any byte (a server that closes at once may want TLS). */
  #heard = false;
  /** Whether the current socket got as far as carrying requests (TCP connected, TLS verified). */
  #opened = false;
  /** TLS only: sends a NOOP when memcached leaves requests unread (see StallWatch). */
  #stall: StallWatch | null = null;
  #nextOpaque = 1;
  #flushScheduled = false;
  #needDrain = false;
  #lastEncodedQuiet = false;
  #timer: NodeJS.Timeout | null = null;
  #connectTimer: NodeJS.Timeout | null = null;
  #attempt = 0;
  #retryAt = 0;
  #lastError: Error | null = null;

  constructor(address: ServerAddress, options: ResolvedClientOptions, metrics: ClientMetrics, wire: Wire) {
    this.server = address.key;
    this.#address = address;
    this.#options = options;
    this.#metrics = metrics;
    this.#wire = wire;
    this.#writer = wire.createEncoder();
    this.#window = new FlightWindow(options.maxBytesInFlight);
    // Until the handshake told the item limit, only its own small replies can come.
    this.#parser = wire.createParser((reply) => this.#onReply(reply), () => (this.#info === null ? HANDSHAKE_BODY_LIMIT : this.#info.itemSizeMax + REPLY_OVERHEAD));
    this.#provisionalInfo = provisionalInfo(this.server, HANDSHAKE_BODY_LIMIT);
  }

  /** Requests queued or awaiting a reply. */
  get outstanding(): number {
    return this.#pending.length + this.#inFlight.length;
  }

  /** Queues a request; its promise settles exactly once, whatever happens to the connection. */
  send<T>(command: Command<T>): Promise<T> {
    if (commandChannel.hasSubscribers) return traceSend(this.server, this.#wire.name, command, (request) => this.#submit(request));
    return new Promise<T>((resolve, reject) => {
      this.#submit(new Request<T>(command, resolve, reject) as AnyRequest);
    });
  }

  /** Connects if needed and returns what the handshake learned. */
  async serverInfo(): Promise<ServerInfo> {
    if (this.#state !== 'ready' || this.#info === null) await this.send(this.#wire.noop);
    return this.#info!;
  }

  /** Rejects everything outstanding with ClientClosedError and closes the socket. */
  close(): Promise<void> {
    if (this.#state === 'closed') return Promise.resolve();
    if (this.#state === 'ready') publishClose(this.server, this.#options.tls !== false);
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
        this.#fail(request, backoffFailure(request, this.server, this.#lastError, this.#retryAt - now));
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
    return !this.#needDrain && this.#pending.length === 0 && this.#writer.pendingBytes < FLUSH_HIGH_WATER && this.#window.open;
  }

  #fail(request: AnyRequest, error: Error): void {
    this.#metrics.errors++;
    request.reject(error);
  }

  /** Checks that need the server's info, then encodes. Nothing is sent for a refused request. */
  #encode(request: AnyRequest): void {
    const refused = refusal(request, this.#info!, this.server);
    if (refused !== null) return this.#fail(request, refused);
    this.#write(request);
  }

  #write(request: AnyRequest): void {
    request.opaque = this.#nextOpaque;
    this.#nextOpaque = this.#nextOpaque === 0xffffffff ? 1 : this.#nextOpaque + 1;
    const before = this.#writer.pendingBytes;
    this.#wire.encode(this.#writer, request.command, request.opaque, this.#info ?? this.#provisionalInfo);
    const encoded = this.#writer.pendingBytes - before;
    if (request.trace !== null) traceEncoded(request.trace, this.#wire, request.command, this.#info ?? this.#provisionalInfo, encoded);
    request.charge = this.#window.charge(encoded);
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
    const fence = this.#wire.fence;
    if (this.#lastEncodedQuiet && fence !== null) {
      // A quiet request last in the batch would wait for an unrelated later reply; a NOOP fence settles it
      // now, at no extra round trip. It times out like any request (a deadline of 0 looks expired to a sweep).
      const request = new Request(fence, () => {}, () => {});
      request.deadline = Date.now() + this.#options.requestTimeoutMs;
      this.#write(request as AnyRequest);
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
    this.#stall?.wrote();
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
    while (this.#pending.length > 0 && !this.#needDrain && this.#writer.pendingBytes < FLUSH_HIGH_WATER && this.#window.open) {
      this.#encode(this.#pending.shift()!);
    }
  }

  #connect(): void {
    this.#state = 'connecting';
    this.#heard = false;
    this.#opened = false;
    const reader = new SocketReader(this.#parser);
    const socket: net.Socket = openSocket(this.#address, this.#options, reader, {
      ready: () => {
        this.#opened = true;
        this.#handshake(socket);
      },
      received: (count) => this.#read(socket, () => reader.received(count)),
      chunk: (data) => void this.#read(socket, () => reader.feed(data)),
      error: (error) => this.#lost(socket, error),
      close: () => this.#lost(socket, null),
    });
    this.#socket = socket;
    this.#stall?.stop();
    this.#stall = this.#options.tls === false ? null : new StallWatch(STALL_CHECK_MS, () => this.#state === 'ready' && this.#inFlight.length > 0, () => {
      if (socket !== this.#socket) return;
      const nudge = new Request(this.#wire.noop, () => {}, () => {});
      nudge.deadline = Date.now() + this.#options.requestTimeoutMs;
      this.#write(nudge as AnyRequest);
    });
    this.#connectTimer = setTimeout(() => {
      this.#lost(socket, connectTimeout(this.server, this.#options.connectTimeoutMs, this.#opened && !this.#heard && this.#wire.name === 'binary'));
    }, this.#options.connectTimeoutMs);
  }

  /** Parses what arrived; a reply that cannot be handled closes the connection. False: stop reading. */
  #read(socket: net.Socket, parse: () => void): boolean {
    if (socket !== this.#socket) return false;
    this.#heard = true;
    try {
      parse();
    } catch (error) {
      const failure = error instanceof ProtocolError ? error : new ProtocolError(`failed to handle a reply from ${this.server}`, { cause: error, server: this.server });
      this.#lost(socket, failure);
      return false;
    }
    return true;
  }

  #handshake(socket: net.Socket): void {
    if (socket !== this.#socket) return;
    const handshake = this.#wire.handshake(this.server);
    const sendAll = (commands: readonly Command<unknown>[]): Promise<unknown[]> => {
      const results = commands.map((command) => new Promise<unknown>((resolve, reject) => {
        const request = new Request(command, resolve, reject);
        request.deadline = Infinity; // the connect timer's business (a deadline of 0 let an earlier sweep kill healthy attempts)
        this.#write(request as AnyRequest);
      }));
      this.#writeChunks(socket);
      return Promise.all(results);
    };
    runHandshake(handshake, sendAll, () => socket === this.#socket, this.server).then(
      (values) => {
        if (socket !== this.#socket) return;
        try {
          this.#info = handshake.finish(values);
        } catch (error) {
          this.#lost(socket, error as Error);
          return;
        }
        clearTimeout(this.#connectTimer!);
        this.#connectTimer = null;
        this.#state = 'ready';
        this.#attempt = 0;
        this.#lastError = null;
        publishConnect(this.server, this.#wire.name, this.#options.tls !== false);
        this.#pump();
      },
      (error: Error) => this.#lost(socket, error), // a refused handshake (SASL, authfile) fails the attempt; else #lost already ran
    );
  }

  #onReply(reply: WireReply): void {
    this.#metrics.responses++;
    this.#stall?.replied();
    for (;;) {
      const head = this.#inFlight.peek();
      if (head === undefined) {
        throw new ProtocolError(`unexpected reply (opaque ${reply.opaque}) from ${this.server}: no request is waiting`, { server: this.server });
      }
      if (reply.opaque === null || head.opaque === reply.opaque) {
        if (head.trace !== null) head.trace.replyBytes += this.#wire.replyBytes(reply);
        const mismatch = this.#wire.mismatch(head.command, reply);
        if (mismatch !== null) throw new ProtocolError(`${mismatch} (request ${describe(head)})`, { server: this.server });
        let result: unknown;
        try {
          result = this.#wire.decode(head.command, reply, head, this.#info ?? this.#provisionalInfo);
        } catch (error) {
          if (error instanceof ProtocolError) throw error;
          this.#inFlight.shift();
          this.#settled(head);
          this.#fail(head, error as Error);
          return;
        }
        if (result === MORE_REPLIES) return;
        this.#inFlight.shift();
        this.#settled(head);
        head.resolve(result);
        return;
      }
      const silence = head.command.onSilence;
      if (!head.quiet || silence === undefined) {
        throw new ProtocolError(`reply opaque ${reply.opaque} from ${this.server} does not match the oldest request in flight (${describe(head)}, opaque ${head.opaque})`, { server: this.server });
      }
      this.#inFlight.shift();
      this.#settled(head);
      head.resolve(silence.call(head.command));
    }
  }

  /** `request` left the flight: its bytes make room for queued ones. */
  #settled(request: AnyRequest): void {
    this.#window.settled(request.charge);
    if (this.#pending.length > 0 && this.#window.open) this.#pump();
  }

  /** The socket failed or closed (or we gave up on it): settle what it carried. */
  #lost(socket: net.Socket, error: Error | null): void {
    if (socket !== this.#socket) return;
    this.#socket = null;
    socket.destroy();
    if (this.#connectTimer !== null) clearTimeout(this.#connectTimer);
    this.#connectTimer = null;
    this.#parser.reset();
    this.#window.reset();
    this.#writer = this.#wire.createEncoder(); // bytes of requests that are about to be rejected
    this.#needDrain = false;
    this.#lastEncodedQuiet = false;
    const inFlight = this.#inFlight.drain();
    const tls = this.#options.tls !== false;

    if (this.#state === 'connecting') {
      const cause = connectCause(error, tls, this.#heard, this.#opened);
      publishLost(this.server, tls, 'connect', cause);
      this.#attempt++;
      this.#lastError = cause;
      this.#retryAt = Date.now() + this.#options.reconnectStrategy(this.#attempt, cause);
      this.#state = 'backoff';
      const failed = [...inFlight, ...this.#pending.drain()];
      for (const request of failed) this.#fail(request, connectFailure(request, this.server, cause));
      return;
    }

    this.#state = 'idle';
    publishLost(this.server, tls, 'connection', error);
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
    this.#stall?.stop();
    if (this.#timer !== null) clearTimeout(this.#timer);
    if (this.#connectTimer !== null) clearTimeout(this.#connectTimer);
    this.#timer = null;
    this.#connectTimer = null;
  }
}
