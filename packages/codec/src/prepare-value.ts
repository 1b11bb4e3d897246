/**
 * Walks a value before it is encoded: refuses what the mcc format cannot
 * represent (with the path of the offending part), and rewrites the few
 * leaves the encoder would otherwise write in a form other languages read
 * differently. Containers are copied only along the path of a rewritten leaf
 * (copy on write), so an ordinary value is walked but never copied.
 *
 * Refused everywhere: `undefined` (also array holes), functions, symbols,
 * symbol-keyed properties, Map, Set, class instances, typed arrays other
 * than Uint8Array, ArrayBuffer, boxed primitives, invalid Dates, strings
 * and keys with lone surrogates (not encodable as UTF-8), cycles, and
 * nesting deeper than {@link MAX_DEPTH}. Codec-specific rules (numbers, bigint, Date,
 * binary) come from a {@link LeafRules}.
 */
import { types } from 'node:util';
import { EncodeError } from './errors';

/** Deepest nesting of arrays and maps accepted on encode and decode (Python's msgpack stops at 1024). */
export const MAX_DEPTH = 512;

/** Codec-specific handling of the leaves. Each returns the value to encode in place of the leaf, or throws a reason. */
export interface LeafRules {
  readonly codec: string;
  number(value: number): unknown;
  bigint(value: bigint): unknown;
  date(value: Date): unknown;
  binary(value: Uint8Array): unknown;
}

/** Thrown by a rule; becomes an EncodeError naming the path. */
export class Refusal {
  constructor(readonly reason: string) {}
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

function childPath(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return IDENTIFIER.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}

/** String.prototype.isWellFormed (Node 20; not yet in the ES2022 lib typings). */
const isWellFormed = (String.prototype as unknown as { isWellFormed(this: string): boolean }).isWellFormed;

function isPlainObject(value: object): boolean {
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto === null || proto === Object.prototype) return true;
  // A plain object from another realm (vm context): its prototype is that realm's Object.prototype.
  return Object.getPrototypeOf(proto) === null && (proto as { constructor?: { name?: string } }).constructor?.name === 'Object';
}

function describeObject(value: object): string {
  if (types.isMap(value)) return 'is a Map, which mcc does not encode: use a plain object with string keys';
  if (types.isSet(value)) return 'is a Set, which mcc does not encode: use an array';
  if (types.isArrayBuffer(value) || types.isSharedArrayBuffer(value)) return 'is an ArrayBuffer: wrap it in a Uint8Array';
  if (types.isTypedArray(value) || types.isDataView(value)) {
    return `is a ${value.constructor.name}: only Uint8Array (and Buffer) binaries are encoded`;
  }
  if (types.isBoxedPrimitive(value)) return 'is a boxed primitive (new String/Number/Boolean): use the primitive';
  const name = (value as { constructor?: { name?: string } }).constructor?.name;
  return `is an instance of ${name || 'a class'}: only plain objects, arrays, Uint8Array/Buffer and Date are encoded`;
}

/**
 * Returns `value`, or a copy with the leaves the rules rewrote.
 *
 * @throws EncodeError naming the path of the first part that cannot be encoded
 */
export function prepareValue(value: unknown, rules: LeafRules): unknown {
  const ancestors = new Set<object>();
  /** Keys from the root down to the node being visited: `trail[d]` leads from depth d to d+1. Paths are built only for an error. */
  const trail: (string | number)[] = [];

  const fail = (depth: number, reason: string): EncodeError => {
    let path = 'value';
    for (let level = 0; level < depth; level++) path = childPath(path, trail[level]!);
    return new EncodeError(rules.codec, path, reason);
  };
  const refused = (error: unknown, depth: number): unknown => (error instanceof Refusal ? fail(depth, error.reason) : error);

  const visit = (node: unknown, depth: number): unknown => {
    switch (typeof node) {
      case 'string':
        if (!isWellFormed.call(node)) throw fail(depth, 'is a string with a lone surrogate, which is not valid UTF-8');
        return node;
      case 'boolean':
        return node;
      case 'number':
        try {
          return rules.number(node);
        } catch (error) {
          throw refused(error, depth);
        }
      case 'bigint':
        try {
          return rules.bigint(node);
        } catch (error) {
          throw refused(error, depth);
        }
      case 'undefined':
        throw fail(depth, 'is undefined (use null, or leave the property out)');
      case 'function':
        throw fail(depth, 'is a function');
      case 'symbol':
        throw fail(depth, 'is a symbol');
      default:
        break;
    }
    if (node === null) return null;
    const object = node as object;
    if (types.isUint8Array(object)) {
      try {
        return rules.binary(object as Uint8Array);
      } catch (error) {
        throw refused(error, depth);
      }
    }
    if (types.isDate(object)) {
      // Date.prototype.getTime works on a Date of any realm.
      const time = Date.prototype.getTime.call(object);
      if (Number.isNaN(time)) throw fail(depth, 'is an invalid Date');
      try {
        return rules.date(object instanceof Date ? object : new Date(time));
      } catch (error) {
        throw refused(error, depth);
      }
    }
    const isArray = Array.isArray(object);
    if (isArray ? !isPlainArray(object as unknown[]) : !isPlainObject(object)) throw fail(depth, describeObject(object));
    if (ancestors.has(object)) throw fail(depth, 'is a circular reference to one of its parents');
    if (depth >= MAX_DEPTH) throw fail(depth, `is nested deeper than ${MAX_DEPTH} levels`);
    ancestors.add(object);
    try {
      return isArray ? visitArray(object as unknown[], depth) : visitObject(object as Record<string, unknown>, depth);
    } finally {
      ancestors.delete(object);
    }
  };

  const visitArray = (array: unknown[], depth: number): unknown[] => {
    // A foreign-realm array would not be recognised as an array by the encoder: always copy it.
    let copy: unknown[] | null = Object.getPrototypeOf(array) === Array.prototype ? null : [];
    for (let index = 0; index < array.length; index++) {
      trail[depth] = index;
      if (!(index in array)) throw fail(depth + 1, 'is a hole in a sparse array (undefined)');
      const item = array[index];
      const prepared = visit(item, depth + 1);
      if (copy === null && !Object.is(prepared, item)) copy = array.slice(0, index);
      if (copy !== null) copy.push(prepared);
    }
    return copy ?? array;
  };

  const visitObject = (object: Record<string, unknown>, depth: number): object => {
    const symbols = Object.getOwnPropertySymbols(object);
    for (const symbol of symbols) {
      if (Object.prototype.propertyIsEnumerable.call(object, symbol)) throw fail(depth, `has a symbol-keyed property (${String(symbol)})`);
    }
    const keys = Object.keys(object);
    // Null-prototype copy: assigning "__proto__" on it defines a property instead of calling a setter.
    let copy: Record<string, unknown> | null = null;
    for (let index = 0; index < keys.length; index++) {
      const key = keys[index]!;
      if (!isWellFormed.call(key)) throw fail(depth, `has a key with a lone surrogate (${JSON.stringify(key)}), which is not valid UTF-8`);
      trail[depth] = key;
      const item = object[key];
      const prepared = visit(item, depth + 1);
      if (copy === null && !Object.is(prepared, item)) {
        copy = Object.create(null) as Record<string, unknown>;
        for (let earlier = 0; earlier < index; earlier++) copy[keys[earlier]!] = object[keys[earlier]!];
      }
      if (copy !== null) copy[key] = prepared;
    }
    return copy ?? object;
  };

  try {
    return visit(value, 0);
  } catch (error) {
    if (error instanceof EncodeError) throw error;
    // A getter that throws, a proxy trap, …
    const message = error instanceof Error ? error.message : String(error);
    throw new EncodeError(rules.codec, 'value', `could not be read: ${message}`, { cause: error });
  }
}

function isPlainArray(array: unknown[]): boolean {
  const proto: unknown = Object.getPrototypeOf(array);
  if (proto === Array.prototype) return true;
  // Another realm's Array.prototype (not a subclass): its own prototype is an Object.prototype.
  const protoProto: unknown = proto === null ? null : Object.getPrototypeOf(proto);
  return protoProto !== null && Object.getPrototypeOf(protoProto) === null && (proto as { constructor?: { name?: string } }).constructor?.name === 'Array';
}
