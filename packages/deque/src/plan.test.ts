import { emptyAnchor, hasChunks, type Anchor } from './anchor';
import type { Chunk } from './chunk';
import { externalElement, inlineElement as inlineBytes, isExternal, type Element } from './element';
import { buffersSize } from './prepare';

const inlineElement = (value: unknown): Element => inlineBytes(Buffer.from(JSON.stringify(value)));
const inlineValue = (bytes: Uint8Array): unknown => JSON.parse(Buffer.from(bytes).toString());
import { planBatch, type Operation, type PlanningCache, type Side } from './plan';
import { seededRandom } from '@mcc/harness';

/**
 * A model check of the planner: random batches of pushes and pops at both
 * ends, committed against an in-memory "server" of chunks, must always agree
 * with a plain array.
 */
class Simulation {
  anchor: Anchor = emptyAnchor();
  readonly chunks = new Map<number, Chunk>(); // the server's chunk items, by slot
  readonly cached = new Map<string, Chunk>(); // slot@base → chunk
  readonly fresh = new Map<number, Chunk>(); // fetched for the current anchor
  readonly values = new Map<string, unknown>(); // external values on the server
  readonly fetchedValues = new Set<string>();
  model: unknown[] = [];
  fetches = 0;
  batches = 0;

  constructor(readonly flushBytes: number) {}

  cache(): PlanningCache {
    return {
      chunk: (slot, base) => (base === undefined ? this.fresh.get(slot) : this.cached.get(`${slot}@${base}`)),
      hasValue: (key) => this.fetchedValues.has(key),
    };
  }

  run(operations: Operation[]): (unknown | undefined)[] {
    for (let attempt = 0; attempt < 50; attempt++) {
      const plan = planBatch(this.anchor, operations, this.cache(), {
        batchId: `batch-${this.batches}`,
        flushBytes: this.flushBytes,
        sizeOf: buffersSize,
      });
      if (plan.kind === 'need') {
        for (const { slot, base } of plan.chunks) {
          const chunk = this.chunks.get(slot);
          expect(chunk).toBeDefined(); // an in-range chunk always exists
          if (base !== undefined) expect(chunk!.s).toBe(base);
          this.cached.set(`${slot}@${chunk!.s}`, chunk!);
          this.fresh.set(slot, chunk!);
          this.fetches++;
        }
        for (const key of plan.values) {
          expect(this.values.has(key)).toBe(true);
          this.fetchedValues.add(key);
        }
        continue;
      }
      for (const flush of plan.flushes) {
        const existing = this.chunks.get(flush.slot);
        // The slot is free, or holds garbage from an older anchor.
        if (existing !== undefined) expect(existing.s).toBeLessThan(this.anchor.s);
        this.chunks.set(flush.slot, flush.chunk);
        this.cached.set(`${flush.slot}@${flush.chunk.s}`, flush.chunk);
      }
      for (const { slot, base } of plan.emptiedChunks) {
        expect(this.chunks.get(slot)?.s).toBe(base);
        this.chunks.delete(slot);
      }
      expect(plan.anchor.s).toBe(this.anchor.s + 1);
      expect(plan.anchor.o[plan.anchor.o.length - 1]).toBe(`batch-${this.batches}`);
      this.anchor = plan.anchor;
      this.fresh.clear();
      this.batches++;
      return plan.popped.map((element, index) => (element === undefined ? undefined : this.resolve(element, operations[index]!.kind !== 'pop')));
    }
    throw new Error('planning did not converge');
  }

  resolve(element: Element, kept: boolean): unknown {
    if (!isExternal(element)) return inlineValue(element[1]);
    const value = this.values.get(element[1]);
    if (!kept) this.values.delete(element[1]); // a moved or peeked element keeps its value item
    return value;
  }

  applyModel(operations: Operation[], values: unknown[][]): (unknown | undefined)[] {
    return operations.map((operation, index) => {
      if (operation.kind === 'push') {
        for (const value of values[index]!) {
          if (operation.side === 'right') this.model.push(value);
          else this.model.unshift(value);
        }
        return undefined;
      }
      if (operation.kind === 'peek') return operation.side === 'right' ? this.model.at(-1) : this.model[0];
      const side = operation.kind === 'pop' ? operation.side : operation.from;
      const value = side === 'right' ? this.model.pop() : this.model.shift();
      if (operation.kind === 'move' && value !== undefined) {
        if (operation.to === 'right') this.model.push(value);
        else this.model.unshift(value);
      }
      return value;
    });
  }

  /** Walks the whole deque through the anchor and the chunks, left to right. */
  contents(): unknown[] {
    const result: unknown[] = this.anchor.l.map((element) => this.peekValue(element));
    if (hasChunks(this.anchor)) {
      for (let slot = this.anchor.a; slot <= this.anchor.b; slot++) {
        const chunk = this.chunks.get(slot)!;
        expect(chunk.e.length).toBeGreaterThan(0);
        for (const element of chunk.e) result.push(this.peekValue(element));
      }
    }
    for (const element of this.anchor.r) result.push(this.peekValue(element));
    return result;
  }

  peekValue(element: Element): unknown {
    return isExternal(element) ? this.values.get(element[1]) : inlineValue(element[1]);
  }
}

describe('planBatch', () => {
  it('pops undefined from an empty deque without changing it', () => {
    const plan = planBatch(emptyAnchor(), [{ kind: 'pop', side: 'left' }], { chunk: () => undefined, hasValue: () => false }, {
      batchId: 'x', flushBytes: 100, sizeOf: () => 0,
    });
    expect(plan.kind).toBe('ready');
    if (plan.kind === 'ready') {
      expect(plan.changed).toBe(false);
      expect(plan.popped).toEqual([undefined]);
    }
  });

  it('peeks at an end inside an end chunk without changing anything', () => {
    const sim = new Simulation(40);
    for (let i = 0; i < 20; i++) sim.run([{ kind: 'push', side: 'right', elements: [inlineElement(i)] }]);
    while (sim.anchor.r.length > 0) sim.run([{ kind: 'pop', side: 'right' }]);
    const before = sim.anchor;
    const plan = planBatch(before, [{ kind: 'peek', side: 'right' }, { kind: 'peek', side: 'left' }], sim.cache(), { batchId: 'p', flushBytes: 40, sizeOf: buffersSize });
    const expected = sim.contents();
    expect(plan.kind).toBe('ready');
    if (plan.kind === 'ready') {
      expect(plan.changed).toBe(false);
      expect(plan.popped.map((element) => sim.peekValue(element!))).toEqual([expected.at(-1), expected[0]]);
      expect(plan.flushes).toEqual([]);
      expect(plan.emptiedChunks).toEqual([]);
    }
  });

  it('serves FIFO from the right buffer alone while it is short', () => {
    const sim = new Simulation(10_000);
    sim.run([{ kind: 'push', side: 'right', elements: [inlineElement(1)] }, { kind: 'push', side: 'right', elements: [inlineElement(2)] }]);
    expect(sim.run([{ kind: 'pop', side: 'left' }])).toEqual([1]);
    expect(sim.chunks.size).toBe(0);
    expect(sim.anchor.n).toBe(1);
  });

  it('flushes a full buffer into a chunk before publishing more', () => {
    const sim = new Simulation(40);
    for (let i = 0; i < 20; i++) sim.run([{ kind: 'push', side: 'right', elements: [inlineElement(i)] }]);
    expect(sim.chunks.size).toBeGreaterThan(1);
    expect(sim.contents()).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(sim.run(Array.from({ length: 20 }, () => ({ kind: 'pop', side: 'left' }) as const))).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(sim.chunks.size).toBe(0); // every emptied chunk was handed out for deletion
    expect(sim.anchor.n).toBe(0);
  });

  it.each([
    ['small buffers', 30, 1, true],
    ['medium buffers', 120, 2, true],
    ['large buffers', 2000, 3, false],
  ])('agrees with an array under random batches (%s)', (_name, flushBytes, seed, chunksRead) => {
    const sim = new Simulation(flushBytes);
    const next = seededRandom(seed);
    let counter = 0;
    for (let round = 0; round < 400; round++) {
      const operations: Operation[] = [];
      const values: unknown[][] = [];
      const size = 1 + Math.floor(next() * 12);
      const pushBias = round % 100 < 50 ? 0.65 : 0.35;
      for (let i = 0; i < size; i++) {
        const side: Side = next() < 0.5 ? 'left' : 'right';
        if (next() < pushBias) {
          const count = next() < 0.1 ? 1 + Math.floor(next() * 5) : 1;
          const batchValues = Array.from({ length: count }, () => counter++);
          const elements = batchValues.map((value) => {
            if (next() < 0.1) {
              const key = `v${value}`;
              sim.values.set(key, value);
              return externalElement(key);
            }
            return inlineElement(value);
          });
          operations.push({ kind: 'push', side, elements });
          values.push(batchValues);
        } else if (next() < 0.15) {
          operations.push({ kind: 'move', from: side, to: next() < 0.5 ? 'left' : 'right' });
          values.push([]);
        } else if (next() < 0.15) {
          operations.push({ kind: 'peek', side });
          values.push([]);
        } else {
          operations.push({ kind: 'pop', side });
          values.push([]);
        }
      }
      const expected = sim.applyModel(operations, values);
      expect(sim.run(operations)).toEqual(expected);
      expect(sim.anchor.n).toBe(sim.model.length);
      expect(sim.contents()).toEqual(sim.model);
    }
    // The small-buffer runs must exercise reading chunks back (the path most likely to go wrong).
    if (chunksRead) expect(sim.fetches).toBeGreaterThan(0);
  });
});
