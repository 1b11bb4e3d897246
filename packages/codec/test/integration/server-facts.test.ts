/**
 * The memcached behaviour mcc's conditional writes rely on (docs/FORMAT.md,
 * "Server facts"), checked against the real server with raw binary-protocol
 * frames, so no client-side check can hide what the server does:
 *
 *   which store commands destroy the key's current item when refused
 *   for lack of memory (-M, full) or as too large (-I)?
 *
 * memcached 1.6.18: a refused `set` — with or without a CAS — unlinks the
 * existing item; a refused `replace` (with or without CAS) or `add` keeps it.
 * In the text protocol (what the Python and Go examples of docs/FORMAT.md
 * use), a refused `set` unlinks it too, and a refused `cas` keeps it.
 * And `replace` with a CAS is a compare-and-swap exactly like `set` with one:
 * EXISTS on a mismatch, NOT_FOUND for a missing key.
 */
import { fillMemory, rawTextRequest, useMemcached } from '@mcc/harness';
import { connect as connectSocket, type Socket } from 'node:net';

const OPCODE = { get: 0x00, set: 0x01, add: 0x02, replace: 0x03 } as const;
const STATUS = { ok: 0x0000, notFound: 0x0001, exists: 0x0002, tooLarge: 0x0003, outOfMemory: 0x0082 } as const;

interface Reply {
  readonly status: number;
  readonly cas: bigint;
}

/** One binary-protocol connection, one request at a time: just enough to ask the server directly. */
class RawBinary {
  readonly #socket: Socket;
  #buffer = Buffer.alloc(0);
  #waiting: ((reply: Reply) => void) | null = null;

  constructor(address: string) {
    const [host, port] = address.split(':');
    this.#socket = connectSocket({ host: host!, port: Number(port) });
    this.#socket.on('data', (chunk: Buffer) => {
      this.#buffer = Buffer.concat([this.#buffer, chunk]);
      if (this.#buffer.length < 24) return;
      const length = 24 + this.#buffer.readUInt32BE(8);
      if (this.#buffer.length < length || this.#waiting === null) return;
      const reply = { status: this.#buffer.readUInt16BE(6), cas: this.#buffer.readBigUInt64BE(16) };
      this.#buffer = this.#buffer.subarray(length);
      const waiting = this.#waiting;
      this.#waiting = null;
      waiting(reply);
    });
  }

  request(opcode: number, key: string, value: Buffer | null = null, cas = 0n): Promise<Reply> {
    const keyBytes = Buffer.from(key);
    const extras = opcode === OPCODE.get ? Buffer.alloc(0) : Buffer.alloc(8); // flags 0, ttl 0
    const body = value ?? Buffer.alloc(0);
    const header = Buffer.alloc(24);
    header[0] = 0x80;
    header[1] = opcode;
    header.writeUInt16BE(keyBytes.length, 2);
    header[4] = extras.length;
    header.writeUInt32BE(extras.length + keyBytes.length + body.length, 8);
    header.writeBigUInt64BE(cas, 16);
    return new Promise((resolve) => {
      this.#waiting = resolve;
      this.#socket.write(Buffer.concat([header, extras, keyBytes, body]));
    });
  }

  close(): void {
    this.#socket.destroy();
  }
}

type Command = 'set' | 'set+cas' | 'replace' | 'replace+cas' | 'add';
const COMMANDS: readonly Command[] = ['set', 'set+cas', 'replace', 'replace+cas', 'add'];
/** What memcached 1.6.18 does to the current item when it refuses each command (the table in docs/FORMAT.md). */
const KEEPS_ITEM: Record<Command, boolean> = { set: false, 'set+cas': false, replace: true, 'replace+cas': true, add: true };

/** Sends `command` for `key` (whose current CAS is `cas`) with `value`. */
function send(raw: RawBinary, command: Command, key: string, value: Buffer, cas: bigint): Promise<Reply> {
  const [name, conditional] = command.split('+') as ['set' | 'replace' | 'add', string | undefined];
  return raw.request(OPCODE[name], key, value, conditional === undefined ? 0n : cas);
}

/** Writes a 100-byte victim per command; returns each one's CAS. */
async function writeVictims(raw: RawBinary, prefix: string): Promise<Map<Command, bigint>> {
  const victims = new Map<Command, bigint>();
  for (const command of COMMANDS) {
    const reply = await raw.request(OPCODE.set, `${prefix}:${command}`, Buffer.alloc(100, 1));
    expect(reply.status).toBe(STATUS.ok);
    victims.set(command, reply.cas);
  }
  return victims;
}

describe('refused for lack of memory (-M, full)', () => {
  const memcached = useMemcached(1, { evictions: false, memoryMb: 2 });

  test('set (with or without CAS) destroys the current item; replace and add keep it', async () => {
    const raw = new RawBinary(memcached.addresses[0]!);
    try {
      const victims = await writeVictims(raw, 'oom');
      const filled = await fillMemory(memcached.addresses[0]!);
      expect(filled.items).toBeGreaterThan(100);
      const observed: Record<string, boolean> = {};
      for (const command of COMMANDS) {
        const key = `oom:${command}`;
        // 6 KB: a slab class the fill left without a free chunk, so the allocation fails.
        const reply = await send(raw, command, key, Buffer.alloc(6000, 2), victims.get(command)!);
        expect({ command, status: reply.status }).toEqual({ command, status: STATUS.outOfMemory });
        const after = await raw.request(OPCODE.get, key);
        observed[command] = after.status === STATUS.ok && after.cas === victims.get(command);
      }
      expect(observed).toEqual(KEEPS_ITEM);
      await filled.release();
    } finally {
      raw.close();
    }
  });
});

describe('refused as too large (-I 1m)', () => {
  const memcached = useMemcached(1, { itemSizeMax: '1m' });

  test('set (with or without CAS) destroys the current item; replace and add keep it', async () => {
    const raw = new RawBinary(memcached.addresses[0]!);
    try {
      const victims = await writeVictims(raw, 'big');
      const observed: Record<string, boolean> = {};
      for (const command of COMMANDS) {
        const key = `big:${command}`;
        const reply = await send(raw, command, key, Buffer.alloc(1024 * 1024 + 1, 2), victims.get(command)!);
        expect({ command, status: reply.status }).toEqual({ command, status: STATUS.tooLarge });
        const after = await raw.request(OPCODE.get, key);
        observed[command] = after.status === STATUS.ok && after.cas === victims.get(command);
      }
      expect(observed).toEqual(KEEPS_ITEM);
    } finally {
      raw.close();
    }
  });

  test('replace with a CAS is a compare-and-swap: EXISTS on a mismatch, NOT_FOUND when missing, stored on a match', async () => {
    const raw = new RawBinary(memcached.addresses[0]!);
    try {
      const written = await raw.request(OPCODE.set, 'cas:replace', Buffer.from('one'));
      expect((await raw.request(OPCODE.replace, 'cas:replace', Buffer.from('two'), written.cas + 1n)).status).toBe(STATUS.exists);
      expect((await raw.request(OPCODE.replace, 'cas:missing', Buffer.from('two'), written.cas)).status).toBe(STATUS.notFound);
      const replaced = await raw.request(OPCODE.replace, 'cas:replace', Buffer.from('two'), written.cas);
      expect(replaced.status).toBe(STATUS.ok);
      expect(replaced.cas).not.toBe(written.cas);
    } finally {
      raw.close();
    }
  });
});

/** The text protocol, for the rows of the table other languages' clients need. */
type TextCommand = 'set' | 'cas' | 'replace' | 'add';
const TEXT_COMMANDS: readonly TextCommand[] = ['set', 'cas', 'replace', 'add'];
const TEXT_KEEPS_ITEM: Record<TextCommand, boolean> = { set: false, cas: true, replace: true, add: true };

async function textCas(address: string, key: string): Promise<string | null> {
  const reply = await rawTextRequest(address, `gets ${key}\r\n`, { until: /END\r\n$/ });
  return /^VALUE \S+ \d+ \d+ (\d+)\r\n/.exec(reply)?.[1] ?? null;
}

async function textVictims(address: string, prefix: string): Promise<Map<TextCommand, string>> {
  const victims = new Map<TextCommand, string>();
  for (const command of TEXT_COMMANDS) {
    expect(await rawTextRequest(address, `set ${prefix}:${command} 0 0 100\r\n${'a'.repeat(100)}\r\n`)).toBe('STORED\r\n');
    victims.set(command, (await textCas(address, `${prefix}:${command}`))!);
  }
  return victims;
}

async function textRefusals(address: string, prefix: string, size: number, victims: Map<TextCommand, string>): Promise<Record<string, boolean>> {
  const observed: Record<string, boolean> = {};
  for (const command of TEXT_COMMANDS) {
    const key = `${prefix}:${command}`;
    const line = command === 'cas' ? `cas ${key} 0 0 ${size} ${victims.get(command)}` : `${command} ${key} 0 0 ${size}`;
    const reply = await rawTextRequest(address, `${line}\r\n${'b'.repeat(size)}\r\n`);
    expect({ command, reply }).toEqual({ command, reply: expect.stringMatching(/^SERVER_ERROR (out of memory|object too large)/) });
    observed[command] = (await textCas(address, key)) === victims.get(command);
  }
  return observed;
}

describe('the text protocol', () => {
  const full = useMemcached(1, { evictions: false, memoryMb: 2 });
  const limited = useMemcached(1, { itemSizeMax: '1m' });

  test('refused for lack of memory: set destroys the current item; cas, replace and add keep it', async () => {
    const address = full.addresses[0]!;
    const victims = await textVictims(address, 'text-oom');
    const filled = await fillMemory(address);
    try {
      expect(await textRefusals(address, 'text-oom', 6000, victims)).toEqual(TEXT_KEEPS_ITEM);
    } finally {
      await filled.release();
    }
  });

  test('refused as too large: set destroys the current item; cas, replace and add keep it', async () => {
    const address = limited.addresses[0]!;
    const victims = await textVictims(address, 'text-big');
    expect(await textRefusals(address, 'text-big', 1024 * 1024 + 100, victims)).toEqual(TEXT_KEEPS_ITEM);
  });
});
