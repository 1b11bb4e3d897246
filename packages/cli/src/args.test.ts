import { DEFAULT_SERVER, explicitServers, parseCommandArgs, parseJsonArgument, resolveServers } from './args';

describe('servers', () => {
  it('take --servers, else MCC_SERVERS, else the default (except for the demo)', () => {
    expect(resolveServers('a:1,b:2', { MCC_SERVERS: 'c:3' })).toEqual({ servers: ['a:1', 'b:2'], source: 'flag' });
    expect(resolveServers(undefined, { MCC_SERVERS: 'c:3' })).toEqual({ servers: ['c:3'], source: 'env' });
    expect(resolveServers(undefined, {})).toEqual({ servers: [DEFAULT_SERVER], source: 'default' });
    expect(explicitServers(undefined, { MCC_SERVERS: ' ' })).toBeNull();
  });

  it('accept exactly what connect accepts (the library parser), entries passed on as written', () => {
    expect(resolveServers('cache-1,10.0.0.2:11212:3,[::1]:11211', {}).servers).toEqual(['cache-1', '10.0.0.2:11212:3', '[::1]:11211']);
  });

  it("reject what connect rejects, as a usage error with the library's message", () => {
    const cases: [string, RegExp][] = [
      ['a:1,a:1', /--servers: .*(duplicate|twice|more than once)/i],
      ['a:0', /--servers: .*port must be an integer from 1 to 65535/],
      ['a:1:0', /--servers: .*weight must be a positive integer/],
      ['a:1,,b:2', /--servers: .*host is empty/],
      ['memcached://a:1', /--servers: .*not a URL/],
      ['', /--servers lists no server/],
    ];
    for (const [text, message] of cases) {
      expect(() => resolveServers(text, {})).toThrow(expect.objectContaining({ code: 'MCC_ERR_CLI_USAGE', exitCode: 2, message: expect.stringMatching(message) }));
    }
    expect(() => resolveServers(undefined, { MCC_SERVERS: 'a:99999' })).toThrow(expect.objectContaining({ message: expect.stringMatching(/^MCC_SERVERS: /) }));
  });
});

describe('parseCommandArgs', () => {
  it('parses common and command options, and refuses unknown ones', () => {
    const { values, positionals } = parseCommandArgs('pop', ['q', '--left', '--json'], { left: { type: 'boolean', default: false } });
    expect(positionals).toEqual(['q']);
    expect(values).toMatchObject({ left: true, json: true, help: false });
    expect(() => parseCommandArgs('pop', ['--sideways'], {})).toThrow(expect.objectContaining({ code: 'MCC_ERR_CLI_USAGE', hint: 'run: mcc pop --help' }));
  });

  it('parses JSON values and explains a bare string', () => {
    expect(parseJsonArgument('{"a":[1]}', 'the value')).toEqual({ a: [1] });
    expect(() => parseJsonArgument('hello', 'the value')).toThrow(expect.objectContaining({ code: 'MCC_ERR_CLI_INVALID_JSON' }));
  });
});
