import { checkLinearizability, queueModel, type HistoryOperation, type QueueInput, type QueueModelOptions, type QueueOutput } from '../src';
import { done, open } from './helpers';

type Op = HistoryOperation<QueueInput<number>, QueueOutput<number>>;
const check = (operations: Op[], options: QueueModelOptions = {}) => checkLinearizability(queueModel<number>(options), operations).kind;

const push = (client: number, call: number, ret: number, value: number): Op => done(client, call, ret, { op: 'push', value }, null);
const claim = (client: number, call: number, ret: number, value: number | null, deliveries = 1, final = false): Op =>
  done(client, call, ret, final ? { op: 'claim', final } : { op: 'claim' }, value === null ? null : { value, deliveries });
const settle = (client: number, call: number, ret: number, op: 'ack' | 'nack' | 'extend', value: number, delivery = 1, output: QueueOutput<number> = 'ok'): Op =>
  done(client, call, ret, { op, value, delivery }, output);

describe('the sequential work-queue model', () => {
  test('ready jobs in push order, a claimed job leased, ack idempotent, nack back with deliveries + 1', () => {
    const model = queueModel<number>();
    let state = model.init();
    const run = (input: QueueInput<number>, observed?: QueueOutput<number>) => {
      const next = model.step(state, input, observed);
      state = next.state;
      return next.output;
    };
    run({ op: 'push', value: 1 });
    run({ op: 'pushMany', values: [2, 3] });
    expect(run({ op: 'claim' }, { value: 1, deliveries: 1 })).toEqual({ value: 1, deliveries: 1 });
    expect(run({ op: 'ack', value: 1, delivery: 1 })).toBe('ok');
    expect(run({ op: 'ack', value: 1, delivery: 1 })).toBe('ok');
    expect(run({ op: 'extend', value: 1, delivery: 1 })).toBe('settled');
    expect(run({ op: 'ack', value: 2, delivery: 1 })).toBe('unclaimed');
    expect(run({ op: 'claim' }, { value: 2, deliveries: 1 })).toEqual({ value: 2, deliveries: 1 });
    expect(run({ op: 'extend', value: 2, delivery: 1 })).toBe('ok');
    expect(run({ op: 'nack', value: 2, delivery: 1 })).toBe('ok');
    expect(run({ op: 'nack', value: 2, delivery: 1 })).toBe('ok');
    expect(run({ op: 'ack', value: 2, delivery: 1 })).toBe('settled');
    // Not swept back yet: the head of ready; or swept back: before it, with deliveries 2.
    expect(model.step(state, { op: 'claim' }, { value: 3, deliveries: 1 }).output).toEqual({ value: 3, deliveries: 1 });
    expect(run({ op: 'claim' }, { value: 2, deliveries: 2 })).toEqual({ value: 2, deliveries: 2 });
    expect(run({ op: 'claim' }, { value: 3, deliveries: 1 })).toEqual({ value: 3, deliveries: 1 });
    expect(run({ op: 'claim', final: true }, null)).toBeNull();
    expect(state.ready).toEqual([]);
    expect(state.back).toEqual([]);
  });

  test('maxDeliveries: a job coming back after that many claims is a dead letter, never claimable', () => {
    const history = [push(1, 0, 1, 7), claim(1, 2, 3, 7), settle(1, 4, 5, 'nack', 7), claim(1, 6, 7, 7, 2), settle(1, 8, 9, 'nack', 7, 2)];
    expect(check([...history, claim(1, 10, 11, null, 1, true)], { maxDeliveries: 2 })).toBe('ok');
    expect(check([...history, claim(1, 10, 11, 7, 3)], { maxDeliveries: 2 })).toBe('violation');
    expect(check([...history, claim(1, 10, 11, 7, 3)])).toBe('ok');
  });
});

describe('queue histories that are linearizable', () => {
  test('concurrent pushes come out in either order, each once', () => {
    const base = [push(1, 0, 10, 1), push(2, 0, 10, 2)];
    expect(check([...base, claim(3, 20, 21, 2), claim(3, 22, 23, 1), claim(3, 24, 25, null, 1, true)])).toBe('ok');
    expect(check([...base, claim(3, 20, 21, 1), claim(3, 22, 23, 2), claim(3, 24, 25, null, 1, true)])).toBe('ok');
  });

  test('a claim concurrent with a push may or may not see it', () => {
    expect(check([push(1, 0, 10, 1), claim(2, 5, 6, null), claim(2, 11, 12, 1)], { lostClaims: false })).toBe('ok');
  });

  test('a nacked job may be claimed by anyone after the nack, before the older ready jobs or after them (not swept back yet)', () => {
    const base = [push(1, 0, 1, 1), push(1, 2, 3, 2), claim(2, 4, 5, 1), settle(2, 6, 7, 'nack', 1)];
    expect(check([...base, claim(3, 8, 9, 1, 2), claim(3, 10, 11, 2), claim(3, 12, 13, null, 1, true)], { lostClaims: false })).toBe('ok');
    expect(check([...base, claim(3, 8, 9, 2), claim(3, 10, 11, 1, 2), claim(3, 12, 13, null, 1, true)], { lostClaims: false })).toBe('ok');
  });

  test('an open-ended push nobody saw, an open-ended ack, a lost ack retried', () => {
    const history = [
      push(1, 0, 1, 1),
      open<QueueInput<number>, QueueOutput<number>>(2, 0, { op: 'push', value: 2 }),
      claim(3, 2, 3, 1),
      open<QueueInput<number>, QueueOutput<number>>(3, 4, { op: 'ack', value: 1, delivery: 1 }),
      settle(3, 10, 11, 'ack', 1),
      claim(3, 12, 13, null, 1, true),
    ];
    expect(check(history)).toBe('ok');
  });

  test('a lost claim may have leased the head to nobody (lostClaims), so a later claim skips it', () => {
    const history = [push(1, 0, 1, 1), push(1, 2, 3, 2), open<QueueInput<number>, QueueOutput<number>>(2, 4, { op: 'claim' }), claim(3, 10, 11, 2), claim(3, 12, 13, null, 1, true)];
    expect(check(history)).toBe('ok');
    // A claim that resolved its unknown outcome as null: the same.
    expect(check([push(1, 0, 1, 1), push(1, 2, 3, 2), claim(2, 4, 5, null), claim(3, 10, 11, 2), claim(3, 12, 13, null, 1, true)])).toBe('ok');
  });

  test('open-ended claims are resolved as ghosts at their invocation (Model.resolveOpen), so many of them stay cheap to check', () => {
    const history: Op[] = [];
    for (let n = 0; n < 14; n++) history.push(push(1, n * 10, n * 10 + 1, n), open<QueueInput<number>, QueueOutput<number>>(2 + n, n * 10 + 2, { op: 'claim' }));
    // Every other job taken by a ghost: the last job is claimed behind 13 missing ones.
    history.push(claim(20, 1000, 1001, 13), claim(20, 1002, 1003, null, 1, true));
    const result = checkLinearizability(queueModel<number>(), history);
    expect(result.kind).toBe('ok');
    expect(result.steps).toBeLessThan(1000);
    expect(check([...history.slice(0, -2), claim(20, 1000, 1001, 13), claim(20, 1002, 1003, 12)])).toBe('violation');
  });

  test('with expiry: a lease taken over shows as the holder\'s LeaseExpiredError and a claim with deliveries + 1', () => {
    const history = [push(1, 0, 1, 1), claim(1, 2, 3, 1), claim(2, 10, 11, 1, 2), settle(1, 12, 13, 'ack', 1, 1, 'expired'), settle(2, 14, 15, 'ack', 1, 2)];
    expect(check(history, { expiry: true })).toBe('ok');
    // The holder's expired ack first; the job comes back to whoever claims next.
    expect(check([push(1, 0, 1, 1), claim(1, 2, 3, 1), settle(1, 12, 13, 'extend', 1, 1, 'expired'), claim(2, 14, 15, 1, 2), claim(2, 16, 17, null, 1, true)], { expiry: true })).toBe('ok');
  });
});

describe('expireAll: time jumps past every lease', () => {
  const expire = (call: number): Op => done(0, call, call + 1, { op: 'expireAll' }, null);
  test('held leases and leases of ghosts come back with the next delivery number; nothing else may be missing', () => {
    const ghost = [push(1, 0, 1, 1), push(1, 2, 3, 2), claim(2, 4, 5, null), claim(3, 6, 7, 2)];
    // Before: the ghost explains job 1's absence.
    expect(check([...ghost, claim(3, 8, 9, null, 1, true)])).toBe('ok');
    // After: job 1 (taken by the ghost, expired) and job 2 (held) come back.
    expect(check([...ghost, expire(10), claim(0, 12, 13, 1, 2), claim(0, 14, 15, 2, 2), claim(0, 16, 17, null, 1, true)])).toBe('ok');
    expect(check([...ghost, expire(10), claim(0, 12, 13, 2, 2), claim(0, 16, 17, null, 1, true)])).toBe('violation');
    // A ghost that took the job now being claimed: two more deliveries.
    expect(check([push(1, 0, 1, 1), open<QueueInput<number>, QueueOutput<number>>(2, 2, { op: 'claim' }), expire(10), claim(0, 12, 13, 1, 2), claim(0, 14, 15, null, 1, true)])).toBe('ok');
    // Without a ghost, two more deliveries are wrong.
    expect(check([push(1, 0, 1, 1), expire(10), claim(0, 12, 13, 1, 2)])).toBe('violation');
    // An acked job does not come back.
    expect(check([push(1, 0, 1, 1), claim(2, 2, 3, 1), settle(2, 4, 5, 'ack', 1), expire(10), claim(0, 12, 13, 1, 2)])).toBe('violation');
  });
});

describe('queue histories that are not linearizable', () => {
  test('a job claimed twice without a nack or expiry', () => {
    const base = [push(1, 0, 1, 1), claim(2, 2, 3, 1)];
    expect(check([...base, claim(3, 4, 5, 1)])).toBe('violation');
    expect(check([...base, claim(3, 4, 5, 1, 2)])).toBe('violation');
    // Even when the first holder overlaps the second claim.
    expect(check([push(1, 0, 1, 1), claim(2, 2, 10, 1), claim(3, 2, 10, 1)])).toBe('violation');
  });

  test('a job lost: pushed, never claimed, and the final claim finds nothing', () => {
    expect(check([push(1, 0, 1, 1), claim(2, 2, 3, null, 1, true)])).toBe('violation');
    // A nacked job that never comes back.
    expect(check([push(1, 0, 1, 1), claim(2, 2, 3, 1), settle(2, 4, 5, 'nack', 1), claim(2, 6, 7, null, 1, true)])).toBe('violation');
  });

  test('out-of-order claims: pushed one after the other, claimed in the other order', () => {
    expect(check([push(1, 0, 1, 1), push(1, 2, 3, 2), claim(2, 4, 5, 2), claim(2, 6, 7, 1)])).toBe('violation');
    // A redelivered job must come back before the older ready jobs, not behind a newer push.
    const nacked = [push(1, 0, 1, 1), claim(2, 2, 3, 1), settle(2, 4, 5, 'nack', 1), push(1, 6, 7, 2), push(1, 8, 9, 3)];
    expect(check([...nacked, claim(2, 10, 11, 2), claim(2, 12, 13, 1, 2), claim(2, 14, 15, 3)])).toBe('ok');
    expect(check([...nacked, claim(2, 10, 11, 2), claim(2, 12, 13, 3), claim(2, 14, 15, 1, 2), claim(2, 16, 17, null, 1, true)])).toBe('ok');
  });

  test('pushMany not atomic: a concurrent push between its values', () => {
    const many = done<QueueInput<number>, QueueOutput<number>>(1, 0, 10, { op: 'pushMany', values: [1, 2] }, null);
    expect(check([many, push(2, 0, 10, 3), claim(3, 11, 12, 1), claim(3, 13, 14, 3), claim(3, 15, 16, 2)])).toBe('violation');
    expect(check([many, push(2, 0, 10, 3), claim(3, 11, 12, 3), claim(3, 13, 14, 1), claim(3, 15, 16, 2)])).toBe('ok');
  });

  test('a null claim while a job is ready: refused in fault-free histories', () => {
    const history = [push(1, 0, 1, 1), claim(2, 2, 3, null), claim(2, 4, 5, 1)];
    expect(check(history, { lostClaims: false })).toBe('violation');
  });

  test('wrong delivery counts, an ack of a job never claimed', () => {
    expect(check([push(1, 0, 1, 1), claim(2, 2, 3, 1, 2)])).toBe('violation');
    expect(check([push(1, 0, 1, 1), claim(2, 2, 3, 1), settle(2, 4, 5, 'nack', 1), claim(2, 6, 7, 1, 3)])).toBe('violation');
    expect(check([push(1, 0, 1, 1), settle(2, 2, 3, 'ack', 1)])).toBe('violation');
  });

  test('LeaseExpiredError without expiry; with expiry, an ack that succeeds after its lease was taken over', () => {
    const expired = [push(1, 0, 1, 1), claim(1, 2, 3, 1), settle(1, 4, 5, 'ack', 1, 1, 'expired')];
    expect(check(expired)).toBe('violation');
    expect(check(expired, { expiry: true })).toBe('ok');
    const takenOver = [push(1, 0, 1, 1), claim(1, 2, 3, 1), claim(2, 4, 5, 1, 2), settle(1, 6, 7, 'ack', 1)];
    expect(check(takenOver)).toBe('violation');
    expect(check(takenOver, { expiry: true })).toBe('violation');
    // Acked first: never taken over afterwards.
    expect(check([push(1, 0, 1, 1), claim(1, 2, 3, 1), settle(1, 4, 5, 'ack', 1), claim(2, 6, 7, 1, 2)], { expiry: true })).toBe('violation');
  });
});
