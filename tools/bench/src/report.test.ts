import { formatCount, formatMicros, formatRatio, formatTable } from './report';

describe('formatTable', () => {
  it('pads a Markdown table to aligned columns', () => {
    const text = formatTable({
      title: 't',
      columns: [{ header: 'op', align: 'left' }, { header: 'ops/s' }],
      rows: [['get', '1,234'], ['set', '5']],
    });
    expect(text).toBe(['| op  | ops/s |', '|:----|------:|', '| get | 1,234 |', '| set |     5 |'].join('\n'));
  });
});

describe('number formats', () => {
  it('formats', () => {
    expect(formatCount(1234.6)).toBe('1,235');
    expect(formatMicros(12.345)).toBe('12.3');
    expect(formatMicros(4321.2)).toBe('4,321');
    expect(formatRatio(2)).toBe('2.00×');
    expect(formatRatio(NaN)).toBe('–');
  });
});
