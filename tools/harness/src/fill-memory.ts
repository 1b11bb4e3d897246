/**
 * Filling a memcached started with `-M` (no evictions) until it refuses
 * every new item, for tests of what refused writes do to stored data.
 *
 * memcached allocates per slab class (chunk sizes growing by a factor of
 * 1.25): a server "full" for 5 KB items may still take 100-byte ones, and a
 * class without any page yet gets its first 1 MB page even past `-m`. So the
 * fill goes through sizes from large to small, each 1.15 times smaller than
 * the last (so every class is hit), each until the server answers "out of
 * memory": afterwards no class has a free chunk or can get a page. Speaks the
 * text protocol over its own connection, so it depends on no client package
 * under test.
 */
import { connect, type Socket } from 'node:net';
import { type HostPort, toHostPort } from './address';

/** Value sizes tried, largest first, 1.15 times apart (finer than the slab classes' 1.25): every class ends up full. */
const FILL_SIZES: readonly number[] = (() => {
  const sizes: number[] = [];
  for (let size = 600_000; size >= 1; size = Math.floor(size / 1.15)) sizes.push(size);
  return sizes;
})();
/** Deletes sent per round trip. */
const PIPELINE = 64;
/** Sets sent per round trip: about 1 MB of data, 1 to 256 items. */
function setsPerRoundTrip(size: number): number {
  return Math.max(1, Math.min(256, Math.floor(1_000_000 / (size + 64))));
}
const OUT_OF_MEMORY = /^SERVER_ERROR out of memory/i; // "… storing object", "… during read"

/** What {@link fillMemory} stored; `release()` deletes it again, making room. */
export interface FilledMemory {
  /** How many filler items were stored. */
  readonly items: number;
  /** Deletes every filler item (resolves when the server confirmed all deletes). */
  release(): Promise<void>;
}

/** A connection that sends text commands and hands back reply lines. */
class LineConnection {
  readonly #socket: Socket;
  #buffer = '';
  readonly #waiting: Array<(line: string) => void> = [];
  #failure: Error | null = null;

  constructor(target: HostPort) {
    this.#socket = connect({ host: target.host, port: target.port });
    this.#socket.setEncoding('latin1');
    this.#socket.on('data', (chunk: string) => {
      this.#buffer += chunk;
      for (let end = this.#buffer.indexOf('\r\n'); end >= 0 && this.#waiting.length > 0; end = this.#buffer.indexOf('\r\n')) {
        const line = this.#buffer.slice(0, end);
        this.#buffer = this.#buffer.slice(end + 2);
        this.#waiting.shift()!(line);
      }
    });
    this.#socket.on('error', (error) => {
      this.#failure = error;
    });
  }

  /** Sends `payload` and resolves with the next `count` reply lines. */
  async exchange(payload: string | Buffer, count: number): Promise<string[]> {
    if (this.#failure) throw this.#failure;
    const lines = Array.from({ length: count }, () => new Promise<string>((resolve) => this.#waiting.push(resolve)));
    this.#socket.write(payload);
    return Promise.all(lines);
  }

  close(): void {
    this.#socket.destroy();
  }
}

/**
 * Stores filler items (keys `<prefix><n>`) until the server refuses every
 * size with "out of memory". Only meaningful on a server started with `-M`;
 * a server that evicts would evict the test's data instead.
 *
 * @throws Error when the server answers anything but STORED or out of memory
 */
export async function fillMemory(target: string | HostPort, prefix = 'harness:fill:'): Promise<FilledMemory> {
  const address = toHostPort(target);
  const connection = new LineConnection(address);
  const keys: string[] = [];
  let next = 0;
  try {
    for (const size of FILL_SIZES) {
      const data = Buffer.alloc(size, 0x2e).toString('latin1');
      for (let full = false; !full; ) {
        const batch = Array.from({ length: setsPerRoundTrip(size) }, () => `${prefix}${next++}`);
        const replies = await connection.exchange(batch.map((key) => `set ${key} 0 0 ${size}\r\n${data}\r\n`).join(''), batch.length);
        replies.forEach((reply, index) => {
          if (reply === 'STORED') keys.push(batch[index]!);
          else if (OUT_OF_MEMORY.test(reply)) full = true;
          else throw new Error(`fillMemory: unexpected reply ${JSON.stringify(reply)} from ${address.host}:${address.port}`);
        });
      }
    }
  } finally {
    connection.close();
  }
  return {
    items: keys.length,
    async release() {
      const deleter = new LineConnection(address);
      try {
        for (let start = 0; start < keys.length; start += PIPELINE) {
          const batch = keys.slice(start, start + PIPELINE);
          await deleter.exchange(batch.map((key) => `delete ${key}\r\n`).join(''), batch.length);
        }
      } finally {
        deleter.close();
      }
    },
  };
}
