/** `mcc doctor`: checks each server's settings for what data structures need. */
import { EXIT_CODES } from '../cli-error';
import type { Command } from '../command';
import { formatBytes, formatColumns, formatCount } from '../format';
import { helpText, JSON_HELP, SERVERS_HELP } from '../help-text';
import { openCommand } from '../open-command';
import { print, printJson } from '../output';
import type { ConnectionFacts } from '../connection-health';
import { gatherServerFacts } from '../server-probe';
import { assessServer, suggestedFlags, type Finding, type ServerFacts } from '../server-health';

const NAME = 'doctor';

const LABELS: Readonly<Record<Finding['level'], string>> = { error: 'ERROR', risk: 'RISK ', note: 'note ' };

function yesNo(value: boolean | undefined, yes: string, no: string): string {
  return value === undefined ? '?' : value ? yes : no;
}

const AUTH_TEXT: Readonly<Record<ConnectionFacts['auth']['state'], (user: string) => string>> = {
  'not-required': () => 'none required',
  authenticated: (user) => `SASL PLAIN, authenticated as ${user}`,
  required: () => 'SASL REQUIRED (memcached -S); no --sasl-user given',
  refused: (user) => `SASL REFUSED the credentials of ${user}`,
  'server-has-no-sasl': () => 'the server has no SASL (no -S); --sasl-user given',
  'authfile-authenticated': (user) => `authfile (memcached -Y) when required, as ${user}`,
  'authfile-required': () => 'authfile REQUIRED (memcached -Y); no --auth-user given',
  'authfile-refused': (user) => `authfile REFUSED the credentials of ${user}`,
  unknown: () => '?',
};

function protocolText({ protocol, otherProtocol: other }: ConnectionFacts): string {
  const about =
    other.works === true ? `${other.protocol} works too`
    : other.works === false ? `${other.protocol} does not work: ${other.error?.code ?? 'error'}`
    : `${other.protocol} ${other.reason ?? 'not tried'}`;
  return `${protocol} (${about})`;
}

function tlsText({ tls }: ConnectionFacts): string {
  if (!tls.enabled) return tls.serverSpeaksTls === undefined ? 'off (plain TCP)' : 'off, but the server REQUIRES TLS';
  if (tls.details === undefined || tls.error !== undefined) return `HANDSHAKE FAILED${tls.error === undefined ? '' : `: ${tls.error.code}`}`;
  const { version, cipher, subject, issuer, validTo, daysLeft, authorized } = tls.details;
  const expiry = validTo === undefined ? '' : `, expires ${validTo.slice(0, 10)} (in ${daysLeft ?? '?'} day${daysLeft === 1 ? '' : 's'})`;
  return `${version} ${cipher}; certificate ${subject ?? '?'} issued by ${issuer ?? '?'}${expiry}${authorized ? ', verified' : ', NOT VERIFIED'}`;
}

function connectionRows(connection: ConnectionFacts | undefined): string[][] {
  if (connection === undefined) return [];
  return [
    ['protocol', protocolText(connection)],
    ['TLS', tlsText(connection)],
    ['authentication', AUTH_TEXT[connection.auth.state](connection.auth.user ?? '?')],
  ];
}

function serverLines(facts: ServerFacts, findings: readonly Finding[]): string[] {
  const lines = [`${facts.server}${facts.version === undefined ? '' : `  memcached ${facts.version}`}`];
  if (facts.reachable) {
    const memory =
      facts.memoryLimit === undefined
        ? '?'
        : `${formatBytes(facts.memoryLimit)}${facts.bytesUsed === undefined ? '' : ` (${formatBytes(facts.bytesUsed)} used by ${formatCount(facts.items ?? 0)} items)`}`;
    const rows = [
      ['reachable', 'yes'],
      ...connectionRows(facts.connection),
      ['CAS', yesNo(facts.casEnabled, 'enabled', 'DISABLED (-C)')],
      ['evictions', yesNo(facts.evictionsEnabled, "ON (memcached's default)", 'off (-M)')],
      ['item size limit', facts.itemSizeMax === undefined ? '?' : formatBytes(facts.itemSizeMax)],
      ['memory limit', memory],
      ['evicted so far', facts.evictions === undefined ? '?' : formatCount(facts.evictions)],
    ];
    lines.push(...formatColumns(rows).map((line) => `  ${line}`));
  } else {
    lines.push(...formatColumns([['reachable', 'NO'], ...connectionRows(facts.connection)]).map((line) => `  ${line}`));
  }
  for (const finding of findings) {
    lines.push(`  ${LABELS[finding.level]} ${finding.message}`);
    if (finding.fix !== undefined) lines.push(`        fix: ${finding.fix}`);
  }
  return lines;
}

export const doctorCommand: Command = {
  name: NAME,
  summary: "check the servers' settings (CAS, evictions, limits) and how they are reached (protocol, TLS, SASL)",
  usage: helpText(
    'mcc doctor [--servers LIST] [--json] [connection options]',
    "Checks each server: reachable, version, CAS enabled, evictions disabled\n(-M) or not, item size limit, memory limit, evictions so far. Prints what\nis risky for data structures and the memcached flags that fix it.\nAlso how it is reached: the protocol in use and whether the other one works\n(binary refused → use --protocol meta), TLS (version, cipher, the server's\ncertificate and its expiry; why a handshake failed) and SASL (required?\nauthenticated as whom? refused?), with the option that fixes a failure.\nExits with 0 only if every server is reachable and nothing is risky\n(notes, such as memcached's small default memory, do not count).",
    [SERVERS_HELP, JSON_HELP],
    [
      'mcc doctor',
      'mcc doctor --servers node1:11211,node2:11211,node3:11211',
      'MCC_SERVERS=10.0.0.1:11211 mcc doctor --json',
      'mcc doctor --servers cache.example.com:11211 --tls --tls-ca ca.pem',
      'MCC_SASL_PASSWORD=… mcc doctor --servers 10.0.0.1:11211 --sasl-user app',
      'mcc doctor --servers proxy:11211 --protocol meta',
    ],
  ),
  async run(argv) {
    const opened = openCommand(this, argv, {}, []);
    if (opened === null) return EXIT_CODES.ok;
    const { values } = opened;
    const { servers, source, connection } = opened.servers();
    const assessed = await Promise.all(
      servers.map(async (server) => {
        const facts = await gatherServerFacts(server, connection);
        return { facts, findings: assessServer(facts) };
      }),
    );
    const failing = assessed.filter(({ findings }) => findings.some((finding) => finding.level !== 'note'));
    const ok = failing.length === 0;
    const flags = suggestedFlags(assessed);
    if (values.json) {
      printJson({ ok, servers: assessed.map(({ facts, findings }) => ({ ...facts, findings })), suggestedFlags: flags });
      return ok ? EXIT_CODES.ok : EXIT_CODES.negative;
    }
    const origin = source === 'default' ? ' (the default; pass --servers or set MCC_SERVERS)' : source === 'env' ? ' (from MCC_SERVERS)' : '';
    print(`mcc doctor: ${servers.length} server${servers.length === 1 ? '' : 's'}${origin}`);
    for (const { facts, findings } of assessed) print(['', ...serverLines(facts, findings)].join('\n'));
    print('');
    if (ok) {
      print(`all is well: ${servers.length === 1 ? 'the server is' : `all ${servers.length} servers are`} ready for mcc data structures`);
    } else {
      const problems = failing.flatMap(({ findings }) => findings.filter((finding) => finding.level !== 'note')).length;
      print(`${problems} problem${problems === 1 ? '' : 's'} on ${failing.length} of ${servers.length} server${servers.length === 1 ? '' : 's'}.`);
    }
    if (flags !== '') print(`recommended memcached flags: ${flags}`);
    return ok ? EXIT_CODES.ok : EXIT_CODES.negative;
  },
};
