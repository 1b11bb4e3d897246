import { formatAddress, parseAddress, toHostPort } from './address';

test('parseAddress', () => {
  expect(parseAddress('127.0.0.1:11211')).toEqual({ host: '127.0.0.1', port: 11211 });
  expect(parseAddress('[::1]:11211')).toEqual({ host: '::1', port: 11211 });
  expect(() => parseAddress('localhost')).toThrow(TypeError);
  expect(() => parseAddress('h:0')).toThrow(TypeError);
});

test('toHostPort and formatAddress', () => {
  expect(toHostPort({ host: 'h', port: 1 })).toEqual({ host: 'h', port: 1 });
  expect(formatAddress({ host: '::1', port: 2 })).toBe('[::1]:2');
  expect(formatAddress(toHostPort('h:3'))).toBe('h:3');
});
