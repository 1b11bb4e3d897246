import { type Server, type Socket, createServer } from 'node:net';
import { type HostPort, toHostPort } from './address';
import { type FaultProxyMode, type LinkPolicy, ProxyLink } from './proxy-link';
import { clearTimeout, setTimeout } from './real-timers';
import { type RandomReplyFaults, type ReplyFault, type ReplyFaultCounts, ReplyFaults } from './reply-faults';

export type { FaultProxyMode } from './proxy-link';
export type { RandomReplyFaults, ReplyFault, ReplyFaultCounts, ReplyFaultKind } from './reply-faults';

const PROXY_HOST = '127.0.0.1';
const openProxies = new Set<FaultProxy>();

interface ByteWaiter {
  target: number;
  resolve: () => void;
  reject: (error: Error) => void;
}

/**
 * A TCP proxy on 127.0.0.1 that forwards to one target and injects the
 * failures a healthy local memcached never shows: latency, stalls, lost
 * replies, refused and dropped connections, replies cut or split mid-frame.
 *
 * Settings apply to all connections, current and future, from the moment they
 * are set (except 'refuse', which only affects new connections).
 *
 * @example
 * ```ts
 * const proxy = await FaultProxy.start(server.address);
 * const client = createClient([proxy.address]);
 * proxy.setMode('drop-responses');
 * ```
 */
export class FaultProxy {
  readonly host = PROXY_HOST;
  readonly port: number;
  readonly #server: Server;
  readonly #target: HostPort;
  readonly #links = new Set<ProxyLink>();
  readonly #waiters = new Set<ByteWaiter>();
  #mode: FaultProxyMode = 'pass';
  #delayMs = 0;
  #responseChunkSize = 0;
  readonly #replyFaults = new ReplyFaults();
  #connectionCount = 0;
  #acceptedCount = 0;
  #bytesToServer = 0;
  #bytesToClient = 0;
  #closing: Promise<void> | undefined;

  /** The view of the settings that each connection consults per chunk. */
  readonly #policy: LinkPolicy;

  private constructor(server: Server, port: number, target: HostPort) {
    this.#server = server;
    this.port = port;
    this.#target = target;
    // Getters in the object literal below have their own `this`.
    const proxy = this;
    this.#policy = {
      get mode() {
        return proxy.#mode;
      },
      get delayMs() {
        return proxy.#delayMs;
      },
      get responseChunkSize() {
        return proxy.#responseChunkSize;
      },
      decideReply(length, random) {
        return proxy.#replyFaults.decide(proxy.#bytesToClient, length, random);
      },
      countToServer(bytes) {
        proxy.#bytesToServer += bytes;
        proxy.#settleWaiters();
      },
      countToClient(bytes) {
        proxy.#bytesToClient += bytes;
      },
    };
    server.on('connection', (socket) => this.#accept(socket));
  }

  /**
   * Starts a proxy to `target` on a free 127.0.0.1 port, in 'pass' mode.
   *
   * @param target - 'host:port' or `{ host, port }`
   */
  static async start(target: string | HostPort): Promise<FaultProxy> {
    const hostPort = toHostPort(target);
    // allowHalfOpen: a client that half-closes after its request still gets the reply.
    const server = createServer({ allowHalfOpen: true });
    const port = await new Promise<number>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: PROXY_HOST, port: 0 }, () => {
        server.off('error', reject);
        const address = server.address();
        if (typeof address === 'object' && address !== null) resolve(address.port);
        else reject(new Error('FaultProxy: could not read the listening port'));
      });
    });
    // A forgotten proxy must not keep the process alive.
    server.unref();
    const proxy = new FaultProxy(server, port, hostPort);
    openProxies.add(proxy);
    return proxy;
  }

  /** '127.0.0.1:PORT' */
  get address(): string {
    return `${this.host}:${this.port}`;
  }

  /** the current mode */
  get mode(): FaultProxyMode {
    return this.#mode;
  }

  /** number of currently open client connections */
  get connectionCount(): number {
    return this.#connectionCount;
  }

  /** total connections accepted so far (including ones closed at once in 'refuse' mode) */
  get acceptedCount(): number {
    return this.#acceptedCount;
  }

  /** bytes forwarded client→server */
  get bytesToServer(): number {
    return this.#bytesToServer;
  }

  /** bytes forwarded server→client */
  get bytesToClient(): number {
    return this.#bytesToClient;
  }

  /** Delays each forwarded chunk by `ms` in both directions (order is kept; fractions of a ms are kept too, see precise-delay.ts); 0 = none. */
  setDelay(ms: number): void {
    if (!(ms >= 0)) throw new RangeError(`delay must be >= 0, got ${ms}`);
    this.#delayMs = ms;
  }

  /**
   * - 'pass' (default): forward everything.
   * - 'blackhole': accept and hold all bytes in both directions, forward
   *   nothing. Held bytes are released, in order, when the mode changes back.
   * - 'drop-responses': forward client→server, silently discard server→client
   *   (a lost reply: the server applied the request).
   * - 'refuse': new incoming connections are closed immediately; existing ones
   *   keep working.
   */
  setMode(mode: FaultProxyMode): void {
    this.#mode = mode;
    for (const link of this.#links) link.pump();
  }

  /** Destroys every current connection, both the client and the server side. */
  dropConnections(): void {
    for (const link of this.#links) link.destroy();
  }

  /**
   * The next server→client chunk (on any connection) is forwarded only up to
   * half its length, then both sides of that connection are destroyed.
   */
  cutNextResponse(): void {
    this.injectReplyFault({ kind: 'tear' });
  }

  /**
   * Arms one fault on the server→client stream (any connection), after
   * `afterBytes` more bytes and/or `afterReplies` more replies (default: the
   * next reply); see {@link ReplyFault}. Faults armed together fire in order
   * of position.
   *
   * @example
   * ```ts
   * proxy.injectReplyFault({ kind: 'cut' });                 // the next reply is lost, the connection closes
   * proxy.injectReplyFault({ kind: 'cut', afterBytes: 30 }); // … 30 bytes into the stream: inside a frame
   * proxy.injectReplyFault({ kind: 'stall', stallMs: 500 }); // held past a 200 ms request timeout
   * proxy.injectReplyFault({ kind: 'cut', afterReplies: 2 }); // the reply to the third request from now
   * ```
   * @throws RangeError for an unknown kind or a negative or fractional size
   */
  injectReplyFault(fault: ReplyFault): void {
    this.#replyFaults.arm(fault, this.#bytesToClient + (fault.afterBytes ?? 0));
  }

  /**
   * Hits each server→client chunk with `probability`, with a kind drawn
   * uniformly from `kinds`, from a generator seeded with `seed`; null stops.
   * Armed faults take precedence.
   *
   * @throws RangeError for a probability outside 0..1, a fractional seed or an unknown kind
   */
  setRandomReplyFaults(random: RandomReplyFaults | null): void {
    this.#replyFaults.setRandom(random);
  }

  /**
   * Ends every reply fault: disarms the armed ones that have not fired yet
   * (a fault armed by position waits for its bytes however long that takes —
   * it must not hit the clean phase of a test, such as a final drain) and
   * stops the random ones. Returns how many armed faults never fired.
   */
  clearReplyFaults(): number {
    return this.#replyFaults.clear();
  }

  /** Reply faults injected so far (armed and random), by kind. */
  get replyFaultCounts(): ReplyFaultCounts {
    return this.#replyFaults.counts;
  }

  /**
   * Forwards server→client bytes in pieces of at most `n` bytes, each its own
   * write with a setImmediate between, so the client sees split frames; 0 = off.
   */
  setResponseChunkSize(n: number): void {
    if (!Number.isInteger(n) || n < 0) throw new RangeError(`chunk size must be a non-negative integer, got ${n}`);
    this.#responseChunkSize = n;
  }

  /**
   * Resolves once `n` bytes in total have been forwarded client→server, e.g.
   * to wait until a request has gone out before injecting a fault.
   *
   * @param timeoutMs - reject after this long; default 5000
   * @throws Error (rejects) on timeout or when the proxy is closed first
   */
  waitForBytesToServer(n: number, timeoutMs = 5000): Promise<void> {
    if (this.#bytesToServer >= n) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const waiter: ByteWaiter = {
        target: n,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
      const timer = setTimeout(() => {
        this.#waiters.delete(waiter);
        reject(new Error(`FaultProxy: only ${this.#bytesToServer} of ${n} bytes reached the server within ${timeoutMs} ms`));
      }, timeoutMs);
      this.#waiters.add(waiter);
    });
  }

  /** Stops listening and destroys all connections; idempotent. */
  close(): Promise<void> {
    this.#closing ??= new Promise<void>((resolve) => {
      openProxies.delete(this);
      this.#server.close(() => resolve());
      this.dropConnections();
      for (const waiter of this.#waiters) {
        waiter.reject(new Error(`FaultProxy closed after ${this.#bytesToServer} of ${waiter.target} bytes reached the server`));
      }
      this.#waiters.clear();
    });
    return this.#closing;
  }

  #accept(socket: Socket): void {
    this.#acceptedCount += 1;
    if (this.#mode === 'refuse' || this.#closing) {
      socket.destroy();
      return;
    }
    this.#connectionCount += 1;
    socket.once('close', () => {
      this.#connectionCount -= 1;
    });
    const link = new ProxyLink(socket, this.#target, this.#policy, (closed) => this.#links.delete(closed));
    this.#links.add(link);
  }

  #settleWaiters(): void {
    for (const waiter of this.#waiters) {
      if (this.#bytesToServer >= waiter.target) {
        this.#waiters.delete(waiter);
        waiter.resolve();
      }
    }
  }
}

/** Closes every {@link FaultProxy} this process started and has not closed yet. */
export async function closeAllProxies(): Promise<void> {
  await Promise.all([...openProxies].map((proxy) => proxy.close()));
}
