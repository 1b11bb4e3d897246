/**
 * The demo's invariants, checked from what the workers report and what the
 * deques and accounts hold at the end. Pure functions over plain data.
 */
import { formatCount } from '../format';
import type { WorkerResult } from './messages';

/** One line of the demo's verdict. */
export interface Check {
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
}

/** How the queue's items came out, against what went in. */
export interface QueueTally {
  readonly appended: number;
  readonly popped: number;
  /** Items still in the queue after the consumers drained it (they are counted as popped too). */
  readonly leftOver: number;
  readonly duplicates: number;
  readonly lost: number;
  /** Popped items that were never appended (unknown stream or index), not counting uncertain appends. */
  readonly unexpected: number;
  readonly malformed: number;
  readonly orderViolations: number;
  readonly orderExamples: readonly string[];
  readonly producerStreams: number;
  readonly consumerLoops: number;
  readonly examples: readonly string[];
}

/**
 * Matches every popped item to an append: each `(p, i)` with `i` below the
 * count stream `p` appended must come out exactly once.
 *
 * @param leftOver items the orchestrator popped after the consumers finished
 */
export function tallyQueue(producers: readonly WorkerResult[], consumers: readonly WorkerResult[], leftOver: readonly unknown[], consumerLoops: number): QueueTally {
  const counts = new Map<number, number>();
  for (const producer of producers) {
    producer.produced?.forEach((count, loop) => counts.set(producer.index * producer.produced!.length + loop, count));
  }
  const uncertain = new Set(producers.flatMap((producer) => producer.uncertain ?? []).map(([p, i]) => `${p}:${i}`));
  const seen = new Map<number, Uint8Array>();
  for (const [p, count] of counts) seen.set(p, new Uint8Array(count));
  let popped = 0;
  let duplicates = 0;
  let unexpected = 0;
  let malformed = 0;
  const examples: string[] = [];
  const take = (p: number, i: number): void => {
    popped++;
    const flags = seen.get(p);
    if (flags === undefined || i < 0 || i >= flags.length) {
      if (!uncertain.has(`${p}:${i}`)) {
        unexpected++;
        if (examples.length < 5) examples.push(`popped p=${p} i=${i}, which was never appended`);
      }
      return;
    }
    if (flags[i] === 1) {
      duplicates++;
      if (examples.length < 5) examples.push(`popped p=${p} i=${i} twice`);
    }
    flags[i] = 1;
  };
  for (const consumer of consumers) {
    malformed += consumer.malformed ?? 0;
    popped += consumer.malformed ?? 0;
    for (const [p, list] of consumer.received ?? []) for (const i of list) take(p, i);
  }
  for (const value of leftOver) {
    const item = value as { p?: unknown; i?: unknown } | null;
    if (typeof item === 'object' && item !== null && Number.isSafeInteger(item.p) && Number.isSafeInteger(item.i)) take(item.p as number, item.i as number);
    else {
      malformed++;
      popped++;
    }
  }
  let lost = 0;
  for (const [p, flags] of seen) {
    for (let i = 0; i < flags.length; i++) {
      if (flags[i] === 0) {
        lost++;
        if (examples.length < 5) examples.push(`p=${p} i=${i} was appended but never popped`);
      }
    }
  }
  const appended = [...counts.values()].reduce((sum, count) => sum + count, 0);
  return {
    appended,
    popped,
    leftOver: leftOver.length,
    duplicates,
    lost,
    unexpected,
    malformed,
    orderViolations: consumers.reduce((sum, consumer) => sum + (consumer.orderViolations ?? 0), 0),
    orderExamples: consumers.flatMap((consumer) => consumer.orderExamples ?? []).slice(0, 5),
    producerStreams: counts.size,
    consumerLoops,
    examples,
  };
}

/** The queue's checks: in = out, no duplicates, nothing lost or invented, FIFO order per producer per consumer. */
export function queueChecks(tally: QueueTally): Check[] {
  const example = (filter: RegExp): string => {
    const found = tally.examples.find((line) => filter.test(line));
    return found === undefined ? '' : ` (e.g. ${found})`;
  };
  return [
    {
      name: 'items in = items out',
      ok: tally.appended === tally.popped && tally.leftOver === 0,
      detail: `${formatCount(tally.appended)} appended, ${formatCount(tally.popped - tally.leftOver)} popped by consumers${tally.leftOver === 0 ? '' : `, ${formatCount(tally.leftOver)} left in the queue`}`,
    },
    {
      name: 'no duplicates',
      ok: tally.duplicates === 0,
      detail: tally.duplicates === 0 ? 'every item popped once' : `${formatCount(tally.duplicates)} popped more than once${example(/twice/)}`,
    },
    {
      name: 'no losses',
      ok: tally.lost === 0 && tally.unexpected === 0 && tally.malformed === 0,
      detail:
        tally.lost + tally.unexpected + tally.malformed === 0
          ? 'every appended item came out, nothing else did'
          : `${formatCount(tally.lost)} lost, ${formatCount(tally.unexpected)} never appended, ${formatCount(tally.malformed)} malformed${example(/never/)}`,
    },
    {
      name: 'order per producer per consumer',
      ok: tally.orderViolations === 0,
      detail:
        tally.orderViolations === 0
          ? `FIFO held for ${tally.producerStreams} producer loops × ${tally.consumerLoops} consumer loops`
          : `${formatCount(tally.orderViolations)} out of order (e.g. ${tally.orderExamples[0] ?? '?'})`,
    },
  ];
}

/** The shuttle's check: the items in both deques at the end are exactly the ones put in (1…count), once each. */
export function shuttleCheck(values: readonly unknown[], count: number, moves: number): Check {
  const seen = new Set<unknown>();
  let duplicates = 0;
  let foreign = 0;
  let sum = 0;
  for (const value of values) {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > count) foreign++;
    else if (seen.has(value)) duplicates++;
    else {
      seen.add(value);
      sum += value;
    }
  }
  const expectedSum = (count * (count + 1)) / 2;
  const ok = values.length === count && duplicates === 0 && foreign === 0 && seen.size === count;
  return {
    name: 'moveTo conserved the items',
    ok,
    detail: ok
      ? `${formatCount(moves)} atomic moves; all ${count} items still there once (sum ${formatCount(sum)})`
      : `${values.length} items found of ${count} (${duplicates} duplicated, ${foreign} unknown, ${count - seen.size} missing; sum ${sum} of ${expectedSum})`,
  };
}

/** The bank's check: the accounts' total is what it was, and no balance went negative. */
export function accountsCheck(balances: readonly (number | undefined)[], expectedTotal: number, transfers: number): Check {
  const missing = balances.filter((value) => value === undefined).length;
  const present = balances.filter((value): value is number => value !== undefined);
  const total = present.reduce((sum, value) => sum + value, 0);
  const negative = present.filter((value) => value < 0).length;
  const ok = missing === 0 && negative === 0 && total === expectedTotal;
  return {
    name: "accounts' total conserved",
    ok,
    detail: ok
      ? `${formatCount(transfers)} MCAS transfers; ${balances.length} accounts still total ${formatCount(total)}`
      : `total ${formatCount(total)}, expected ${formatCount(expectedTotal)} (${missing} accounts missing, ${negative} negative)`,
  };
}

/** Every worker ran without an error. */
export function errorsCheck(results: readonly WorkerResult[]): Check {
  const failing = results.filter((result) => result.errors > 0);
  const total = failing.reduce((sum, result) => sum + result.errors, 0);
  return {
    name: 'no operation failed',
    ok: total === 0,
    detail: total === 0 ? `${results.length} worker processes, no errors` : `${total} errors, e.g. ${failing[0]?.role} ${failing[0]?.index}: ${failing[0]?.firstErrors[0] ?? '?'}`,
  };
}

/**
 * The work queue's check: every job pushed was acked exactly once (none lost,
 * none done twice, none invented), every nacked job came back and was acked
 * on a later delivery, and the queue ended empty.
 */
export function jobsCheck(results: readonly WorkerResult[], left: { readonly ready: number; readonly delayed: number; readonly inFlight: number; readonly dead: number }): Check {
  const pushed = new Set(results.flatMap((result) => result.jobsPushed ?? []));
  const acks = new Map<string, number[]>();
  for (const [id, delivery] of results.flatMap((result) => result.jobsAcked ?? [])) acks.set(id, [...(acks.get(id) ?? []), delivery]);
  const nacked = results.flatMap((result) => result.jobsNacked ?? []);
  const lost = [...pushed].filter((id) => !acks.has(id)).length;
  const twice = [...acks.values()].filter((deliveries) => deliveries.length > 1).length;
  const unknown = [...acks.keys()].filter((id) => !pushed.has(id)).length;
  const notRedelivered = nacked.filter(([id, delivery]) => !(acks.get(id) ?? []).some((later) => later > delivery)).length;
  const remaining = left.ready + left.delayed + left.inFlight + left.dead;
  const ok = pushed.size > 0 && lost === 0 && twice === 0 && unknown === 0 && notRedelivered === 0 && remaining === 0;
  return {
    name: 'work queue: every job done once',
    ok,
    detail: ok
      ? `${formatCount(pushed.size)} jobs pushed, claimed and acked once each; ${formatCount(nacked.length)} nacked and redelivered; the queue ended empty`
      : `${formatCount(pushed.size)} pushed: ${lost} never acked, ${twice} acked twice, ${unknown} acked but never pushed, ${notRedelivered} nacked and not redelivered; left in the queue: ${JSON.stringify(left)}`,
  };
}
