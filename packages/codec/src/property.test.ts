/**
 * Property tests over the type mapping with a seeded generator: for every
 * value v, decode(encode(v)) equals the mapping applied to v (msgpack), or
 * v itself (json, over JSON's values). Set MCC_TEST_SEED to reproduce a run.
 */
import { jsonCodec } from './json-codec';
import { msgpackCodec } from './msgpack-codec';
import { msgpackRoundTrip, RandomValues } from './__tests__/random-value';
import { expectSameValue } from './__tests__/same-value';

const SEED = Number(process.env.MCC_TEST_SEED ?? 20240611);

describe(`property tests (seed ${SEED})`, () => {
  test('msgpack: decode(encode(v)) is v under the type mapping', () => {
    const random = new RandomValues(SEED, { large: true });
    for (let sample = 0; sample < 1000; sample++) {
      const value = random.value();
      expectSameValue(msgpackCodec.decode(msgpackCodec.encode(value)), msgpackRoundTrip(value));
    }
  });

  test('msgpack: encoding is deterministic and a fixpoint after one round trip', () => {
    const random = new RandomValues(SEED + 1);
    for (let sample = 0; sample < 500; sample++) {
      const value = random.value();
      const bytes = Buffer.from(msgpackCodec.encode(value));
      expect(msgpackCodec.encode(value)).toEqual(bytes);
      expect(msgpackCodec.encode(msgpackCodec.decode(bytes))).toEqual(bytes);
    }
  });

  test('json: decode(encode(v)) is v for JSON values', () => {
    const random = new RandomValues(SEED + 2, { jsonOnly: true });
    for (let sample = 0; sample < 1000; sample++) {
      const value = random.value();
      expectSameValue(jsonCodec.decode(jsonCodec.encode(value)), msgpackRoundTrip(value));
    }
  });
});
