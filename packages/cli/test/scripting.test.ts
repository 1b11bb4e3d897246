import { freePort, useMemcached } from '@mcc/harness';
import { runCli } from './run-cli';

const cluster = useMemcached(1, { evictions: false });
const servers = (): string => cluster.addresses.join(',');

describe('commands for scripts', () => {
  it('push and pop round-trip JSON values at both ends', async () => {
    const name = `script-${Date.now()}`;
    expect((await runCli(['create', name, '--servers', servers()])).code).toBe(0);
    const values = [{ id: 1, tags: ['a', 'b'] }, 'text', 42, null, [1, { deep: true }]];
    for (const value of values) {
      const pushed = await runCli(['push', name, JSON.stringify(value), '--json', '--servers', servers()]);
      expect(pushed.code).toBe(0);
      expect(JSON.parse(pushed.stdout)).toMatchObject({ deque: name, side: 'right', value });
    }
    const front = await runCli(['push', name, '"first"', '--left', '--servers', servers()]);
    expect(front.code).toBe(0);

    const left = await runCli(['pop', name, '--left', '--servers', servers()]);
    expect(left.code).toBe(0);
    expect(JSON.parse(left.stdout)).toBe('first');
    const popped: unknown[] = [];
    for (let index = 0; index < values.length; index++) {
      const run = await runCli(['pop', name, '--left', '--json', '--servers', servers()]);
      expect(run.code).toBe(0);
      const document = JSON.parse(run.stdout) as { empty: boolean; value: unknown };
      expect(document.empty).toBe(false);
      popped.push(document.value);
    }
    expect(popped).toEqual(values);

    const empty = await runCli(['pop', name, '--servers', servers()]);
    expect(empty.code).toBe(1);
    expect(empty.stdout).toBe('');
    const emptyJson = await runCli(['pop', name, '--json', '--servers', servers()]);
    expect(JSON.parse(emptyJson.stdout)).toEqual({ deque: name, side: 'right', empty: true });
  });

  it('set, get and mcas-get JSON values', async () => {
    const key = `script-key-${Date.now()}`;
    expect((await runCli(['set', key, '{"n":1}', '--servers', servers()])).code).toBe(0);
    expect((await runCli(['set', key, '{"n":2}', '--servers', servers()])).code).toBe(0);
    const get = await runCli(['get', key, '--servers', servers()]);
    expect(JSON.parse(get.stdout)).toEqual({ n: 2 });
    const json = await runCli(['get', key, '--json', '--servers', servers()]);
    expect(JSON.parse(json.stdout)).toMatchObject({ key, found: true, value: { n: 2 }, kind: 'value', cas: expect.stringMatching(/^\d+$/) });
    const resolved = await runCli(['mcas-get', key, '--servers', servers()]);
    expect(JSON.parse(resolved.stdout)).toEqual({ n: 2 });
    const missing = await runCli(['get', `${key}-missing`, '--servers', servers()]);
    expect(missing.code).toBe(1);
  });

  it('prints the error code and a fix, with exit code 3', async () => {
    const port = await freePort();
    const refused = await runCli(['get', 'anything', '--servers', `127.0.0.1:${port}`]);
    expect(refused.code).toBe(3);
    expect(refused.stderr).toContain('MCC_ERR_CONNECTION');
    expect(refused.stderr).toContain(`is memcached running at 127.0.0.1:${port}?`);
    expect(refused.stderr).toContain('--servers');

    const missing = await runCli(['push', `never-created-${Date.now()}`, '1', '--servers', servers()]);
    expect(missing.code).toBe(3);
    expect(missing.stderr).toContain('MCC_ERR_DEQUE_NOT_FOUND');
    expect(missing.stderr).toContain('mcc create');

    const json = await runCli(['get', 'anything', '--json', '--servers', `127.0.0.1:${port}`]);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, error: { code: 'MCC_ERR_CONNECTION', hint: expect.any(String) } });
  });

  it('rejects bad arguments with exit code 2', async () => {
    const notJson = await runCli(['push', 'q', 'not-json', '--servers', servers()]);
    expect(notJson.code).toBe(2);
    expect(notJson.stderr).toContain('MCC_ERR_CLI_INVALID_JSON');
    const unknownOption = await runCli(['pop', 'q', '--sideways']);
    expect(unknownOption.code).toBe(2);
    expect(unknownOption.stderr).toContain('mcc pop --help');
    const unknownCommand = await runCli(['frobnicate']);
    expect(unknownCommand.code).toBe(2);
    const missingArgument = await runCli(['push', 'q']);
    expect(missingArgument.code).toBe(2);
    expect(missingArgument.stderr).toContain('<json>');
  });

  it('has --help on every command', async () => {
    const general = await runCli(['--help']);
    expect(general.code).toBe(0);
    const names = [...general.stdout.matchAll(/^ {2}([a-z-]+) {2,}/gm)].map((match) => match[1]!);
    expect(names).toEqual(expect.arrayContaining(['demo', 'doctor', 'inspect', 'fsck', 'push', 'pop', 'create', 'get', 'set', 'mcas-get', 'bench', 'load']));
    const runs = await Promise.all(names.map((name) => runCli([name, '--help'])));
    runs.forEach((run, index) => {
      expect({ name: names[index], code: run.code }).toEqual({ name: names[index], code: 0 });
      expect(run.stdout).toContain(`mcc ${names[index]}`);
    });
  });
});
