// oauth-mcp init <host> [--print]: puts the oauth-mcp server entry into an MCP host's config file, keeping
// everything else in it and a backup, and asking before it replaces an entry of the same name.

import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, resolve } from 'node:path';
import { createInterface } from 'node:readline/promises';
import { fileURLToPath } from 'node:url';
import { OAuthToolError } from '../errors.js';
import { EXIT, type StandaloneCommand } from './command.js';
import { HOST_NAMES, HOSTS, type HostName, hostPlace } from './host-configs.js';
import { type EntryRequest, mergeEntry, serverEntry } from './host-entry.js';

export const initCommand: StandaloneCommand = {
  standalone: true,
  usage: `init <${HOST_NAMES.join('|')}> [--print]`,
  summary: "add oauth-mcp to an MCP host's config (a backup is kept)",
  options: {
    print: { type: 'boolean', help: 'only show the entry; write nothing' },
    name: { type: 'string', value: 'NAME', help: 'the server name in the host (default oauth)' },
    issuer: { type: 'string', value: 'URL', help: "the authorization server's issuer (OAUTH_ISSUER)" },
    'client-id': { type: 'string', value: 'ID', help: 'the client id (OAUTH_CLIENT_ID)' },
    scopes: { type: 'string', value: 'SCOPES', help: 'scopes to ask for, space separated (OAUTH_SCOPES)' },
    'client-secret-env': {
      type: 'string',
      value: 'NAME',
      help: "the client secret from this variable of the host's environment (VS Code: its password prompt); never written",
    },
    config: { type: 'string', value: 'FILE', help: 'an oauth-mcp config file for the server to read' },
    local: {
      type: 'boolean',
      help: 'start this installation (node <dir>/dist/cli.js) instead of npx -y oauth-mcp-server',
    },
    file: {
      type: 'string',
      value: 'FILE',
      help: "the host's config file, when it is not where the host keeps it by default",
    },
    force: { type: 'boolean', help: 'replace an entry of the same name without asking' },
  },
  maxPositionals: 1,
  examples: [
    ['oauth-mcp init claude-desktop --print', 'show the entry for Claude Desktop; write nothing'],
    [
      'oauth-mcp init cursor --issuer https://auth.example.com --client-id my-app --scopes "openid profile"',
      "add oauth-mcp to Cursor's ~/.cursor/mcp.json with a provider",
    ],
    [
      'oauth-mcp init vscode --issuer https://auth.example.com --client-id my-app --client-secret-env OAUTH_CLIENT_SECRET',
      'VS Code asks for the client secret and keeps it',
    ],
    ['oauth-mcp init claude-code --local', 'Claude Code starts this clone or tarball'],
  ],
  run: async ({ term, positionals, values }) => {
    const configFlag = values.config as string | undefined;
    const hostName = positionals[0];
    if (!isHost(hostName)) {
      throw new OAuthToolError(
        'invalid_input',
        `${hostName ? `"${hostName}" is not a host oauth-mcp knows` : 'Name the host'}: oauth-mcp init ${HOST_NAMES.join(', ')}.`,
      );
    }
    const host = HOSTS[hostName];
    const place = hostPlace();
    const request: EntryRequest = {
      host: hostName,
      name: (values.name as string | undefined) ?? 'oauth',
      launch: values.local
        ? { kind: 'local', node: process.execPath, cli: fileURLToPath(new URL('../cli.js', import.meta.url)) }
        : { kind: 'npx' },
      platform: place.platform,
      config: configFlag === undefined ? undefined : resolve(configFlag),
      issuer: values.issuer as string | undefined,
      clientId: values['client-id'] as string | undefined,
      scopes: values.scopes as string | undefined,
      clientSecretEnv: values['client-secret-env'] as string | undefined,
    };
    const entry = serverEntry(host, request);
    const path = resolve((values.file as string | undefined) ?? host.path(place));
    const existing = existsSync(path) ? readFileSync(path, 'utf8') : undefined;

    if (values.print) {
      const { text } = mergeEntry(host, path, undefined, request.name, entry, true);
      term.out(text.trimEnd());
      term.err(`That is the entry for ${host.label} (${path}); nothing was written.`);
      return EXIT.ok;
    }
    let merged = mergeEntry(host, path, existing, request.name, entry, values.force === true);
    if (merged.status === 'differs') {
      const replace = await confirm(
        `${host.label} already has a server "${request.name}" in ${path}:\n${JSON.stringify(merged.previous, null, 2)}\nReplace it? [y/N] `,
      );
      if (replace === undefined) {
        throw new OAuthToolError(
          'invalid_input',
          `${host.label} already has a different server "${request.name}" in ${path}. Run again with --force to replace it (a backup is kept), or --name to add another.`,
        );
      }
      if (!replace) {
        term.err('Nothing changed.');
        return EXIT.problem;
      }
      merged = mergeEntry(host, path, existing, request.name, entry, true);
    }
    if (merged.status === 'unchanged') {
      term.out(`${host.label} already has this "${request.name}" entry in ${path}; nothing changed.`);
      return EXIT.ok;
    }
    const backup = existing === undefined ? undefined : keepBackup(path);
    writeAtomically(path, merged.text);
    term.out(
      `${merged.status === 'replaced' ? 'Replaced' : 'Added'} "${request.name}" in ${host.label}'s config: ${path}${backup ? ` (backup: ${backup})` : ''}.`,
    );
    if (request.clientSecretEnv && host.secret.kind === 'variable') {
      term.out(`Set ${request.clientSecretEnv} in the environment ${host.label} starts from.`);
    }
    term.out(host.restart);
    return EXIT.ok;
  },
};

function isHost(name: string | undefined): name is HostName {
  return name !== undefined && (HOST_NAMES as readonly string[]).includes(name);
}

/** Asks a yes/no question on a terminal; undefined when there is no one to ask (no TTY). */
async function confirm(question: string): Promise<boolean | undefined> {
  if (!process.stdin.isTTY || !process.stderr.isTTY) return undefined;
  const prompt = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await prompt.question(question)).trim());
  } finally {
    prompt.close();
  }
}

/** Copies the file beside itself, named by the time, and returns the copy's path. */
function keepBackup(path: string): string {
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const backup = `${path}.${stamp}.bak`;
  copyFileSync(path, backup);
  return backup;
}

/** Replaces the file in one step, keeping its mode (new files 0600, new folders 0700). */
function writeAtomically(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const mode = existsSync(path) ? statSync(path).mode & 0o777 : 0o600;
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, text, { mode });
  renameSync(temporary, path);
}
