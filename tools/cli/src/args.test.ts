import { DEFAULT_SERVER, explicitServers, parseCommandArgs, parseJsonArgument, resolveServers } from './args';

describe('servers', () => {
  it('take --servers, else MCC_SERVERS, else the default (except for the demo)', () => {
    expect(resolveServers('a:1,b:2', { MCC_SERVERS: 'c:3' })).toEqual({ servers: ['a:1', 'b:2'], source: 'flag' });
    expect(resolveServers(undefined, { MCC_SERVERS: 'c:3' })).toEqual({ servers: ['c:3'], source: 'env' });
    expect(resolveServers(undefined, {})).toEqual({ servers: [DEFAULT_SERVER], source: 'default' });
    expect(explicitServers(undefined, { MCC_SERVERS: ' ' })).toBeNull();
  });

  it('reject a malformed list as a usage error', () => {
    expect(() => resolveServers('nonsense', {})).toThrow(expect.objectContaining({ code: 'MCC_ERR_CLI_USAGE', exitCode: 2 }));
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
