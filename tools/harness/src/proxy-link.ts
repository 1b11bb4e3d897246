import { type Socket, connect } from 'node:net';
import type { HostPort } from './address';
import { afterDelay } from './precise-delay';
import { nextImmediate, setTimeout } from './real-timers';
import type { ReplyAction } from './reply-faults';

/** How a {@link FaultProxy} treats traffic; see FaultProxy.setMode. */
export type FaultProxyMode = 'pass' | 'blackhole' | 'drop-responses' | 'refuse';

/** The live fault settings a link consults for every chunk. */
export interface LinkPolicy {
  readonly mode: FaultProxyMode;
  readonly delayMs: number;
  readonly responseChunkSize: number;
  /** What to do with a server→client chunk of `length` bytes about to be forwarded (armed faults; random ones too if `random`). */
  decideReply(length: number, random: boolean): ReplyAction;
  countToServer(bytes: number): void;
  countToClient(bytes: number): void;
}

interface QueuedChunk {
  data: Buffer;
  /** false while its delay (or a stall) is running */
  ready: boolean;
  /** true for the held rest of a stalled reply: no second random draw for it (armed faults still apply) */
  decided?: boolean;
}

type Direction = 'toServer' | 'toClient';

/**
 * One direction of a proxied connection: an ordered queue of chunks that are
 * forwarded once their delay has passed and the mode allows it.
 *
 * Chunks are queued rather than written straight through so that delays keep
 * byte order, 'blackhole' can hold bytes (and release them when the mode
 * returns to 'pass', like a network stall that heals), and a source's EOF is
 * only forwarded after the bytes before it.
 */
class Lane {
  readonly #queue: QueuedChunk[] = [];
  #pumping = false;
  #sourceEnded = false;
  #endForwarded = false;

  constructor(
    private readonly direction: Direction,
    private readonly link: ProxyLink,
    private readonly destination: Socket,
    private readonly policy: LinkPolicy,
  ) {}

  push(data: Buffer): void {
    const chunk: QueuedChunk = { data, ready: this.policy.delayMs <= 0 };
    this.#queue.push(chunk);
    if (!chunk.ready) {
      afterDelay(this.policy.delayMs, () => {
        chunk.ready = true;
        this.pump();
      }, setTimeout);
    }
    this.pump();
  }

  /** The source sent EOF (or closed): forward EOF after the queued bytes. */
  endOfSource(): void {
    this.#sourceEnded = true;
    this.pump();
  }

  /** Forwards what may be forwarded now; re-entrant calls are no-ops while a pump runs. */
  pump(): void {
    if (this.#pumping || this.link.destroyed) return;
    this.#pumping = true;
    void this.#drain().finally(() => {
      this.#pumping = false;
    });
  }

  async #drain(): Promise<void> {
    for (;;) {
      if (this.link.destroyed) return;
      const head = this.#queue[0];
      if (head === undefined) break;
      // Held: setMode() pumps again when the blackhole lifts.
      if (this.policy.mode === 'blackhole' || !head.ready) return;
      this.#queue.shift();
      if (this.direction === 'toServer') {
        this.#write(head.data);
        continue;
      }
      // A lost reply: the server did the work, the client never hears of it.
      if (this.policy.mode === 'drop-responses') continue;
      if (this.#replyFault(head)) return;
      const pieceSize = this.policy.responseChunkSize;
      if (pieceSize > 0 && head.data.length > pieceSize) {
        for (let offset = 0; offset < head.data.length; offset += pieceSize) {
          // Yield before every piece, the first included: a write made in the
          // same loop turn as the next one would reach the reader merged with it.
          await nextImmediate();
          if (this.link.destroyed) return;
          this.#write(head.data.subarray(offset, offset + pieceSize));
        }
      } else {
        this.#write(head.data);
      }
    }
    if (this.#sourceEnded && !this.#endForwarded) {
      this.#endForwarded = true;
      // Sockets close by themselves once both directions have ended (autoDestroy).
      if (!this.destination.destroyed) this.destination.end();
    }
  }

  /** Applies the reply fault decided for `head`, if any; true when the drain must stop (cut, or stalled). */
  #replyFault(head: QueuedChunk): boolean {
    const action = this.policy.decideReply(head.data.length, head.decided !== true);
    if (action.kind === 'cut') {
      const partial = head.data.subarray(0, action.offset);
      this.policy.countToClient(partial.length);
      this.link.cutWith(partial);
      return true;
    }
    if (action.kind === 'stall') {
      // Forward what comes before the stall, hold the rest (and so everything behind it) for a while.
      if (action.offset > 0) this.#write(head.data.subarray(0, action.offset));
      const held: QueuedChunk = { data: head.data.subarray(action.offset), ready: false, decided: true };
      this.#queue.unshift(held);
      setTimeout(() => {
        held.ready = true;
        this.pump();
      }, action.ms);
      return true;
    }
    return false;
  }

  #write(data: Buffer): void {
    if (this.destination.destroyed || this.destination.writableEnded) return;
    this.destination.write(data);
    if (this.direction === 'toServer') this.policy.countToServer(data.length);
    else this.policy.countToClient(data.length);
  }
}

/** One accepted client connection and its upstream connection to the target. */
export class ProxyLink {
  readonly upstream: Socket;
  #destroyed = false;
  readonly #toServer: Lane;
  readonly #toClient: Lane;

  /**
   * @param client - the accepted socket (created with allowHalfOpen so a client
   *   that half-closes after its request still gets the reply)
   * @param target - where to forward to
   * @param policy - the proxy's current fault settings
   * @param onClosed - called once, when both sockets have closed
   */
  constructor(
    readonly client: Socket,
    target: HostPort,
    policy: LinkPolicy,
    private readonly onClosed: (link: ProxyLink) => void,
  ) {
    this.upstream = connect({ host: target.host, port: target.port, allowHalfOpen: true });
    // Split-frame tests need each small write to leave as its own segment.
    client.setNoDelay(true);
    this.upstream.setNoDelay(true);
    this.#toServer = new Lane('toServer', this, this.upstream, policy);
    this.#toClient = new Lane('toClient', this, client, policy);

    client.on('data', (data: Buffer) => this.#toServer.push(data));
    client.on('end', () => this.#toServer.endOfSource());
    this.upstream.on('data', (data: Buffer) => this.#toClient.push(data));
    this.upstream.on('end', () => this.#toClient.endOfSource());
    // Resets and refused upstream connections are the faults under test; a
    // socket error tears the whole link down, as a real network would.
    client.on('error', () => this.destroy());
    this.upstream.on('error', () => this.destroy());

    let open = 2;
    const onSocketClosed = (): void => {
      open -= 1;
      if (open === 0) this.onClosed(this);
    };
    client.once('close', () => {
      // Bytes the client already sent still reach the server; replies have nowhere to go.
      this.#toServer.endOfSource();
      onSocketClosed();
    });
    this.upstream.once('close', () => {
      this.#toClient.endOfSource();
      onSocketClosed();
    });
  }

  get destroyed(): boolean {
    return this.#destroyed;
  }

  /** Re-evaluates both directions after a mode change. */
  pump(): void {
    this.#toServer.pump();
    this.#toClient.pump();
  }

  /** Delivers `partial` to the client, then destroys both sides (a frame cut in half). */
  cutWith(partial: Buffer): void {
    this.upstream.destroy();
    if (this.client.destroyed) return;
    if (partial.length > 0) this.client.write(partial);
    // end() flushes `partial` before the FIN; destroy() alone could discard it.
    this.client.end(() => this.destroy());
    this.#destroyed = true;
  }

  /** Destroys both sockets immediately, discarding anything queued. */
  destroy(): void {
    this.#destroyed = true;
    this.client.destroy();
    this.upstream.destroy();
  }
}
