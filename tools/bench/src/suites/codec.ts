/**
 * Codec suite: the default codec of @mcc/codec (MessagePack with the mcc
 * type mapping and its safety checks) against JSON, with msgpackr alone for
 * reference. No memcached: encoding and decoding in this process only.
 *
 * Subjects:
 * - mcc: `msgpackCodec.encode` / `msgpackCodec.decode`, everything included
 *   (refusing what the format cannot hold, the structural scan of untrusted
 *   bytes, copying decoded binaries).
 * - JSON: `Buffer.from(JSON.stringify(value))` / `JSON.parse(bytes.toString())`,
 *   what an application without the codec would store.
 * - msgpackr: `Packr.pack` / `Unpackr.unpack`, configured as the codec
 *   configures it (records and other msgpackr-only extensions off), with no
 *   checks: the floor the codec's own work sits on. It is the very msgpackr
 *   @mcc/codec loads.
 *
 * Values: a user record (~100 B), a list of 1,000 such records (~100 KiB),
 * and a deque anchor (a map whose two arrays hold 500 `[0, <Buffer>]` pairs
 * of already-encoded values, ~15 KB: @mcc/deque re-encodes it on every
 * operation). JSON has no binary type, so it gets the anchor with base64
 * strings in place of the Buffers, converted once outside the timing (an
 * application would also pay for the conversion).
 *
 * Operations: encode, decode, and a round trip (encode, then decode those
 * bytes). Each cell runs each subject for `--seconds` in `--rounds` rounds of
 * rotating order, after `--warmup` seconds of unrecorded warm-up; every
 * subject's round trip is checked once against the value before timing.
 */
import { msgpackCodec, msgpackrInteropOptions } from '@mcc/codec';
import { createRequire } from 'node:module';
import * as os from 'node:os';
import { performance } from 'node:perf_hooks';
import { isDeepStrictEqual } from 'node:util';
import { roundOrder } from '../compare';
import { formatCount, formatMicros, formatRatio, type Table } from '../report';
import type { Suite, SuiteContext, SuiteReport } from '../suite';

/** The brief's target for the default codec: at most this many times msgpackr's own time per operation. */
const TARGET_VS_MSGPACKR = 2;
const SUBJECT_NAMES = ['mcc', 'json', 'msgpackr'] as const;
const OPERATIONS = ['encode', 'decode', 'round trip'] as const;

type SubjectName = (typeof SUBJECT_NAMES)[number];
type OperationName = (typeof OPERATIONS)[number];

interface Subject {
  readonly name: SubjectName;
  encode(value: unknown): Uint8Array;
  decode(bytes: Uint8Array): unknown;
}

/** The part of msgpackr's API used here (it is @mcc/codec's dependency, not the bench's: no typings in reach). */
interface MsgpackrModule {
  Packr: new (options: Record<string, unknown>) => { pack(value: unknown): Uint8Array };
  Unpackr: new (options: Record<string, unknown>) => { unpack(bytes: Uint8Array): unknown };
}

function subjects(): Subject[] {
  // The msgpackr that @mcc/codec itself resolves, not whichever another package might bring.
  const msgpackr = createRequire(require.resolve('@mcc/codec'))('msgpackr') as MsgpackrModule;
  // msgpackr configured exactly as the codec configures it (imported, not copied).
  const packr = new msgpackr.Packr(msgpackrInteropOptions(true) as Record<string, unknown>);
  const unpackr = new msgpackr.Unpackr(msgpackrInteropOptions(true) as Record<string, unknown>);
  return [
    { name: 'mcc', encode: (value) => msgpackCodec.encode(value), decode: (bytes) => msgpackCodec.decode(bytes as Buffer) },
    {
      name: 'json',
      encode: (value) => Buffer.from(JSON.stringify(value), 'utf8'),
      decode: (bytes) => JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8')) as unknown,
    },
    { name: 'msgpackr', encode: (value) => packr.pack(value), decode: (bytes) => unpackr.unpack(bytes) },
  ];
}

// ---- values -----------------------------------------------------------------

interface Shape {
  readonly name: string;
  readonly description: string;
  /** The value given to mcc and msgpackr. */
  readonly value: unknown;
  /** The value given to JSON (binaries as base64 strings). */
  readonly jsonValue: unknown;
}

const FIRST_NAMES = ['Ada', 'Grace', 'Alan', 'Edsger', 'Barbara', 'Donald', 'Frances', 'Ken', 'Radia', 'Tony'];
const LAST_NAMES = ['Lovelace', 'Hopper', 'Turing', 'Dijkstra', 'Liskov', 'Knuth', 'Allen', 'Thompson', 'Perlman', 'Hoare'];
const ROLES = ['admin', 'editor', 'viewer', 'billing', 'support'];

/** A typical record of ~100 B in MessagePack (JSON-representable, so JSON carries exactly the same data). */
function userRecord(index: number): Record<string, unknown> {
  const first = FIRST_NAMES[index % FIRST_NAMES.length]!;
  const last = LAST_NAMES[(index * 7) % LAST_NAMES.length]!;
  return {
    id: 100_000 + index,
    name: `${first} ${last}`,
    email: `${first.toLowerCase()}.${last.toLowerCase()}${index}@example.com`,
    active: index % 3 !== 0,
    age: 20 + ((index * 13) % 50),
    score: Math.round(((index * 7919) % 10_000) * 1.37) / 100,
    roles: [ROLES[index % ROLES.length]!, ROLES[(index + 2) % ROLES.length]!],
  };
}

/** Like @mcc/deque's anchor: `[0, bytes]` elements hold values already encoded by the store's codec. */
function dequeAnchor(elements: number): { anchor: unknown; jsonAnchor: unknown } {
  const element = (index: number): [number, Buffer] => [0, msgpackCodec.encode({ id: index, item: `item-${String(index).padStart(6, '0')}`, at: 1_700_000_000 + index })];
  const half = elements / 2;
  const left = Array.from({ length: half }, (_, index) => element(index));
  const right = Array.from({ length: half }, (_, index) => element(half + index));
  const anchor = {
    v: 1, s: 987_654, n: elements, l: left, r: right, a: 12, b: 40, as: 480_000, bs: 986_000,
    o: Array.from({ length: 16 }, (_, index) => `b-${(0x5f3759df + index * 0x9e3779b9).toString(36)}`),
  };
  const base64 = (list: [number, Buffer][]): [number, string][] => list.map(([tag, bytes]) => [tag, bytes.toString('base64')]);
  return { anchor, jsonAnchor: { ...anchor, l: base64(left), r: base64(right) } };
}

function shapes(): Shape[] {
  const small = userRecord(7);
  const large = Array.from({ length: 1000 }, (_, index) => userRecord(index));
  const { anchor, jsonAnchor } = dequeAnchor(500);
  return [
    { name: 'record', description: 'one user record', value: small, jsonValue: small },
    { name: 'records', description: '1,000 user records', value: large, jsonValue: large },
    { name: 'anchor', description: 'deque anchor, 500 inline values', value: anchor, jsonValue: jsonAnchor },
  ];
}

// ---- measuring --------------------------------------------------------------

interface Timing {
  operations: number;
  elapsedMs: number;
}

/** What a cell reports per subject. JSON-friendly. */
export interface CodecSummary {
  operations: number;
  seconds: number;
  opsPerSecond: number;
  usPerOp: number;
  /** Bytes of this subject's encoding of the cell's value. */
  bytes: number;
  /** Encoded bytes produced or consumed per second, in MB (10^6 bytes); a round trip counts them once. */
  mbPerSecond: number;
}

export interface CodecCellResult {
  shape: string;
  op: OperationName;
  mcc: CodecSummary;
  json: CodecSummary;
  msgpackr: CodecSummary;
  /** mcc ops/s ÷ JSON ops/s: above 1, mcc is faster. */
  mccVsJson: number;
  /** mcc time per op ÷ msgpackr time per op: the cost of the codec's checks (target ≤ 2). */
  mccTimeVsMsgpackr: number;
}

/** Keeps results alive so the loops cannot be optimised away. */
let sink = 0;

/** Runs `operation` in batches until `durationMs` have passed. */
function timeLoop(operation: () => number, batch: number, durationMs: number): Timing {
  let operations = 0;
  const started = performance.now();
  let now = started;
  do {
    for (let index = 0; index < batch; index++) sink += operation();
    operations += batch;
    now = performance.now();
  } while (now - started < durationMs);
  return { operations, elapsedMs: now - started };
}

/** Operations per batch such that a batch takes about half a millisecond (so checking the clock costs nothing). */
function batchSize(operation: () => number): number {
  let batch = 1;
  for (;;) {
    const started = performance.now();
    for (let index = 0; index < batch; index++) sink += operation();
    if (performance.now() - started >= 0.5 || batch >= 1 << 16) return batch;
    batch *= 2;
  }
}

function operationOf(subject: Subject, op: OperationName, value: unknown, bytes: Uint8Array): () => number {
  switch (op) {
    case 'encode':
      return () => subject.encode(value).length;
    case 'decode':
      return () => (subject.decode(bytes) === null ? 0 : 1);
    default:
      return () => (subject.decode(subject.encode(value)) === null ? 0 : 1);
  }
}

/** What decoding must give back: JSON keeps base64 strings; binaries come back as Buffers. */
function checkRoundTrip(subject: Subject, value: unknown, bytes: Uint8Array, shape: string): void {
  const decoded = subject.decode(bytes);
  if (!isDeepStrictEqual(decoded, value)) throw new Error(`${subject.name} did not round-trip the ${shape} value`);
}

function summary(timing: Timing, bytes: number): CodecSummary {
  const seconds = timing.elapsedMs / 1000;
  const opsPerSecond = timing.operations / seconds;
  return { operations: timing.operations, seconds, opsPerSecond, usPerOp: 1e6 / opsPerSecond, bytes, mbPerSecond: (opsPerSecond * bytes) / 1e6 };
}

// ---- report -----------------------------------------------------------------

function formatRate(value: number): string {
  return Number.isFinite(value) ? (value >= 100 ? formatCount(value) : value.toFixed(1)) : '–';
}

function sizeTable(shapeList: readonly Shape[], sizes: ReadonlyMap<string, Record<SubjectName, number>>): Table {
  return {
    title: 'Encoded size (bytes)',
    columns: [{ header: 'value', align: 'left' }, { header: 'mcc' }, { header: 'JSON' }, { header: 'msgpackr' }],
    rows: shapeList.map((shape) => {
      const size = sizes.get(shape.name)!;
      return [`${shape.name}: ${shape.description}`, formatCount(size.mcc), formatCount(size.json), formatCount(size.msgpackr)];
    }),
  };
}

function throughputTable(results: readonly CodecCellResult[]): Table {
  return {
    title: 'Throughput (ops/s; mcc/JSON above 1 = mcc faster; mcc/msgpackr = time per op, target ≤ 2)',
    columns: [
      { header: 'value', align: 'left' }, { header: 'op', align: 'left' },
      { header: 'mcc ops/s' }, { header: 'JSON ops/s' }, { header: 'msgpackr ops/s' },
      { header: 'mcc/JSON' }, { header: 'mcc/msgpackr time' },
    ],
    rows: results.map((r) => [
      r.shape, r.op,
      formatCount(r.mcc.opsPerSecond), formatCount(r.json.opsPerSecond), formatCount(r.msgpackr.opsPerSecond),
      formatRatio(r.mccVsJson), formatRatio(r.mccTimeVsMsgpackr),
    ]),
  };
}

function bandwidthTable(results: readonly CodecCellResult[]): Table {
  return {
    title: "Bandwidth (MB/s of each codec's own encoding) and time per op (µs)",
    columns: [
      { header: 'value', align: 'left' }, { header: 'op', align: 'left' },
      { header: 'mcc MB/s' }, { header: 'JSON MB/s' }, { header: 'msgpackr MB/s' },
      { header: 'mcc µs' }, { header: 'JSON µs' }, { header: 'msgpackr µs' },
    ],
    rows: results.map((r) => [
      r.shape, r.op,
      formatRate(r.mcc.mbPerSecond), formatRate(r.json.mbPerSecond), formatRate(r.msgpackr.mbPerSecond),
      formatMicros(r.mcc.usPerOp), formatMicros(r.json.usPerOp), formatMicros(r.msgpackr.usPerOp),
    ]),
  };
}

function targetNote(results: readonly CodecCellResult[]): string {
  const misses = results.filter((r) => !(r.mccTimeVsMsgpackr <= TARGET_VS_MSGPACKR));
  const verdict = misses.length === 0 ? `met in all ${results.length} cells` : `MISSED in ${misses.length} of ${results.length} cells`;
  const worst = results.reduce((a, b) => (b.mccTimeVsMsgpackr > a.mccTimeVsMsgpackr ? b : a));
  return `Target: mcc time per op ≤ ${TARGET_VS_MSGPACKR}× msgpackr's — ${verdict} (highest: ${worst.shape} ${worst.op} ${formatRatio(worst.mccTimeVsMsgpackr)}).`;
}

// ---- suite ------------------------------------------------------------------

async function run(context: SuiteContext): Promise<SuiteReport> {
  const subjectList = subjects();
  const shapeList = shapes();
  const { seconds, rounds, warmupSeconds } = context.settings;
  const loadBefore = os.loadavg()[0]!;
  const sizes = new Map<string, Record<SubjectName, number>>();
  const results: CodecCellResult[] = [];
  let cellIndex = 0;
  const cellCount = shapeList.length * OPERATIONS.length;

  for (const shape of shapeList) {
    // Each subject's encoding of the value, for decoding, sizes and MB/s; and a round-trip check.
    const encoded = new Map<SubjectName, Uint8Array>();
    for (const subject of subjectList) {
      const value = subject.name === 'json' ? shape.jsonValue : shape.value;
      const bytes = Buffer.from(subject.encode(value)); // a copy: decoding must not depend on a slab
      checkRoundTrip(subject, value, bytes, shape.name);
      encoded.set(subject.name, bytes);
    }
    sizes.set(shape.name, { mcc: encoded.get('mcc')!.length, json: encoded.get('json')!.length, msgpackr: encoded.get('msgpackr')!.length });

    for (const op of OPERATIONS) {
      context.signal.throwIfAborted();
      context.progress(`[${++cellIndex}/${cellCount}] ${shape.name} ${op}`);
      const operations = new Map<SubjectName, () => number>();
      const batches = new Map<SubjectName, number>();
      for (const subject of subjectList) {
        const operation = operationOf(subject, op, subject.name === 'json' ? shape.jsonValue : shape.value, encoded.get(subject.name)!);
        operations.set(subject.name, operation);
        timeLoop(operation, 1, warmupSeconds * 1000); // JIT and allocation warm-up, not recorded
        batches.set(subject.name, batchSize(operation));
        // Yield between subjects so Ctrl-C is seen.
        await new Promise((resolve) => setImmediate(resolve));
      }
      const totals = new Map<SubjectName, Timing>(SUBJECT_NAMES.map((name) => [name, { operations: 0, elapsedMs: 0 }]));
      for (let round = 0; round < rounds; round++) {
        for (const subject of roundOrder(subjectList, cellIndex, round)) {
          const timing = timeLoop(operations.get(subject.name)!, batches.get(subject.name)!, (seconds * 1000) / rounds);
          const total = totals.get(subject.name)!;
          total.operations += timing.operations;
          total.elapsedMs += timing.elapsedMs;
        }
        await new Promise((resolve) => setImmediate(resolve));
        context.signal.throwIfAborted();
      }
      const cell = Object.fromEntries(
        SUBJECT_NAMES.map((name) => [name, summary(totals.get(name)!, encoded.get(name)!.length)]),
      ) as Record<SubjectName, CodecSummary>;
      results.push({
        shape: shape.name,
        op,
        ...cell,
        mccVsJson: cell.mcc.opsPerSecond / cell.json.opsPerSecond,
        mccTimeVsMsgpackr: cell.mcc.usPerOp / cell.msgpackr.usPerOp,
      });
    }
  }

  const loadAfter = os.loadavg()[0]!;
  return {
    suite: 'codec',
    title: 'Codec: @mcc/codec msgpack vs JSON (msgpackr alone for reference)',
    tables: [sizeTable(shapeList, sizes), throughputTable(results), bandwidthTable(results)],
    notes: [
      targetNote(results),
      'JSON is Buffer.from(JSON.stringify(v)) and JSON.parse(bytes.toString()); for the anchor it gets base64 strings instead of Buffers, converted before timing.',
      "msgpackr is Packr/Unpackr with the codec's options and none of its checks; its decoder caches a DataView on the input buffer, which the codec must not do to a caller's buffer.",
      `Node ${process.version}; ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? 'unknown'}); ${seconds} s measured per subject and cell in ${rounds} round(s) of rotating order, after ${warmupSeconds} s of warm-up.`,
      `1-minute load average ${loadBefore.toFixed(2)} before the suite, ${loadAfter.toFixed(2)} after (which includes the bench itself).`,
    ],
    results: { settings: context.settings, loadAverage: { before: loadBefore, after: loadAfter }, sizes: Object.fromEntries(sizes), cells: results },
  };
}

export const suite: Suite = {
  name: 'codec',
  description: 'default codec (msgpack + checks) vs JSON, msgpackr for reference: encode/decode of a record, 1,000 records, a deque anchor',
  servers: 0,
  run,
};
