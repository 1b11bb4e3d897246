import { canTransition, isDecided, isMcasStatus, McasStatus, statusName } from './status';

describe('descriptor status transitions', () => {
  const all = [McasStatus.Undecided, McasStatus.Succeeded, McasStatus.Failed];

  test('only UNDECIDED → SUCCEEDED and UNDECIDED → FAILED are allowed; a decision is never undone', () => {
    const allowed = all.flatMap((from) => all.filter((to) => canTransition(from, to)).map((to) => `${statusName(from)}→${statusName(to)}`));
    expect(allowed).toEqual(['UNDECIDED→SUCCEEDED', 'UNDECIDED→FAILED']);
  });

  test('the wire values are 0, 1, 2', () => {
    expect(McasStatus).toEqual({ Undecided: 0, Succeeded: 1, Failed: 2 });
    expect(all.map(isDecided)).toEqual([false, true, true]);
    expect([0, 1, 2, 3, -1, '1', null].map(isMcasStatus)).toEqual([true, true, true, false, false, false, false]);
  });
});
