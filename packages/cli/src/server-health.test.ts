import { assessServer, suggestedFlags, type ServerFacts } from './server-health';

const MIB = 1024 * 1024;
const healthy: ServerFacts = {
  server: '127.0.0.1:11211',
  reachable: true,
  version: '1.6.18',
  casEnabled: true,
  evictionsEnabled: false,
  itemSizeMax: 2 * MIB,
  memoryLimit: 1024 * MIB,
  bytesUsed: 10 * MIB,
  items: 100,
  evictions: 0,
};

const levels = (facts: ServerFacts): string[] => assessServer(facts).map((finding) => finding.level);

describe('assessServer', () => {
  it('finds nothing wrong with a -M server with room', () => {
    expect(assessServer(healthy)).toEqual([]);
    expect(suggestedFlags([{ facts: healthy, findings: [] }])).toBe('');
  });

  it('flags evictions, -C, past evictions and a small item limit as risks, each with its fix', () => {
    const findings = assessServer({ ...healthy, evictionsEnabled: true, casEnabled: false, evictions: 3, itemSizeMax: 512 * 1024 });
    expect(findings.map((finding) => finding.level)).toEqual(['risk', 'risk', 'risk', 'risk']);
    expect(findings.map((finding) => finding.fix)).toEqual([
      expect.stringContaining('remove -C'),
      expect.stringContaining('-M'),
      expect.stringContaining('mcc fsck'),
      expect.stringContaining('-I'),
    ]);
    expect(suggestedFlags([{ facts: { ...healthy, evictionsEnabled: true, casEnabled: false }, findings }])).toBe('-M and without -C');
  });

  it('treats a nearly full -M server as a risk, and the default 64 MiB as a note only', () => {
    expect(levels({ ...healthy, bytesUsed: 950 * MIB })).toEqual(['risk']);
    expect(levels({ ...healthy, memoryLimit: 64 * MIB })).toEqual(['note']);
  });

  it('reports an unreachable server as an error with how to start one', () => {
    const [finding] = assessServer({ server: 'db:11300', reachable: false, error: { code: 'MCC_ERR_CONNECTION', message: 'refused' } });
    expect(finding).toMatchObject({ level: 'error', message: expect.stringContaining('MCC_ERR_CONNECTION') });
    expect(finding?.fix).toContain('-p 11300');
  });
});
