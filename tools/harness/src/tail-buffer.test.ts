import { TailBuffer } from './tail-buffer';

test('keeps only the last `limit` bytes', () => {
  const tail = new TailBuffer(5);
  tail.push('abc');
  tail.push('defg');
  expect(tail.toString()).toBe('cdefg');
  tail.push(Buffer.from('0123456789'));
  expect(tail.toString()).toBe('56789');
});
