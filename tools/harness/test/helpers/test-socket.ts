import { type Socket, connect } from 'node:net';
import { parseAddress } from '../../src/address';

const open = new Set<TestSocket>();

/**
 * A raw TCP client for tests that records every chunk it receives (to see how
 * replies were split) and whether and when the peer closed.
 */
export class TestSocket {
  readonly chunks: Buffer[] = [];
  readonly closed: Promise<void>;
  #isClosed = false;
  #listeners = new Set<() => void>();

  private constructor(readonly socket: Socket) {
    open.add(this);
    socket.on('data', (chunk: Buffer) => {
      this.chunks.push(chunk);
      this.#notify();
    });
    socket.on('error', () => undefined);
    this.closed = new Promise((resolve) => {
      socket.once('close', () => {
        this.#isClosed = true;
        open.delete(this);
        this.#notify();
        resolve();
      });
    });
  }

  /** Connects; resolves on 'connect', or on 'close' (e.g. a refused proxy connection that was accepted then closed). */
  static connect(address: string): Promise<TestSocket> {
    const { host, port } = parseAddress(address);
    return new Promise((resolve, reject) => {
      const socket = connect({ host, port });
      const testSocket = new TestSocket(socket);
      socket.once('connect', () => resolve(testSocket));
      socket.once('error', reject);
    });
  }

  get text(): string {
    return Buffer.concat(this.chunks).toString('utf8');
  }

  get isClosed(): boolean {
    return this.#isClosed;
  }

  write(data: string | Buffer): void {
    this.socket.write(data);
  }

  /** Resolves with all text received once `until` matches; rejects after timeoutMs. */
  waitForText(until: RegExp, timeoutMs = 2000): Promise<string> {
    return this.#waitFor(() => until.test(this.text), timeoutMs, `text matching ${until}`).then(() => this.text);
  }

  /** Resolves once the peer has closed the connection. */
  waitForClose(timeoutMs = 2000): Promise<void> {
    return this.#waitFor(() => this.#isClosed, timeoutMs, 'close');
  }

  destroy(): void {
    this.socket.destroy();
  }

  #waitFor(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
    if (condition()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const check = (): void => {
        if (!condition()) return;
        clearTimeout(timer);
        this.#listeners.delete(check);
        resolve();
      };
      const timer = setTimeout(() => {
        this.#listeners.delete(check);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}; received ${JSON.stringify(this.text)}`));
      }, timeoutMs);
      this.#listeners.add(check);
    });
  }

  #notify(): void {
    for (const listener of [...this.#listeners]) listener();
  }
}

/** Destroys every TestSocket still open (for afterEach). */
export function destroyAllTestSockets(): void {
  for (const socket of open) socket.destroy();
}
