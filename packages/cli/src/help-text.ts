/** Pieces of `--help` text shared by the commands. */

/** The `--servers` line, for commands that talk to memcached. */
export const SERVERS_HELP = '  --servers LIST   memcached servers, host:port[,host:port...]\n                   (default: $MCC_SERVERS, else 127.0.0.1:11211)';

/** The `--colocate` line, for commands on a deque. */
export const COLOCATE_HELP = '  --colocate       the deque was created with --colocate (all its records on one server)';

/** The `--json` line. */
export const JSON_HELP = '  --json           print the result as JSON on stdout';

/** The `--help` line. */
export const HELP_HELP = '  -h, --help       this text';

/** How to reach servers behind TLS, SASL or a proxy: options of every command (connection-options.ts). */
export const CONNECTION_HELP: readonly string[] = [
  '  --protocol binary|meta  the wire protocol (default: $MCC_PROTOCOL, else binary);',
  '                   meta for servers that refuse binary (proxies, ElastiCache Serverless)',
  '  --tls            TLS (memcached -Z), verified against the system\'s CAs;',
  '                   any --tls-… option turns TLS on too',
  '  --tls-ca FILE    trust the CA certificate(s) in FILE (PEM) instead',
  '  --tls-cert FILE  client certificate (PEM) for mutual TLS, with --tls-key FILE',
  '  --tls-key FILE   the client certificate\'s private key (PEM)',
  '  --tls-servername NAME  the name the server\'s certificate must carry (and SNI);',
  '                   default: the host as given in --servers',
  '  --tls-insecure   do not verify the server\'s certificate (for tests only)',
  '  --sasl-user NAME SASL PLAIN user (memcached -S; binary protocol only); the',
  '                   password is read from $MCC_SASL_PASSWORD, never from the',
  '                   command line (it would show in ps and shell history)',
  '  --auth-user NAME authfile user (memcached -Y; meta protocol only); the',
  '                   password is read from $MCC_AUTH_PASSWORD',
];

/** Builds a command's help: usage line(s), a description, the option lines and the connection options. */
export function helpText(usage: string, description: string, optionLines: readonly string[], examples: readonly string[] = []): string {
  const parts = [`Usage: ${usage}`, '', description, '', 'Options:', ...optionLines, HELP_HELP, '', 'Connection (every command):', ...CONNECTION_HELP];
  if (examples.length > 0) parts.push('', 'Examples:', ...examples.map((example) => `  ${example}`));
  return `${parts.join('\n')}\n`;
}
