// The server entry `oauth-mcp init` puts into a host's config, and merging it into the file's text without
// losing anything else in it: other servers, other settings, VS Code's inputs.

import { parseConfig } from '../config/index.js';
import { OAuthToolError } from '../errors.js';
import type { HostConfig, HostName } from './host-configs.js';

/** What the person asked for: how to start the server and which authorization server it signs in to. */
export interface EntryRequest {
  host: HostName;
  name: string;
  /** `npx` runs the published package; `local` this installation (a clone or an unpacked tarball). */
  launch: { kind: 'npx' } | { kind: 'local'; node: string; cli: string };
  platform: NodeJS.Platform;
  config?: string | undefined;
  issuer?: string | undefined;
  clientId?: string | undefined;
  scopes?: string | undefined;
  /** The environment variable (or, in VS Code, the prompt) the client secret comes from; never its value. */
  clientSecretEnv?: string | undefined;
}

interface ServerEntry {
  type?: 'stdio';
  command: string;
  args: string[];
  env?: Record<string, string>;
}

/** VS Code's password prompt: the secret is kept by VS Code, never written to mcp.json. */
export const SECRET_INPUT = {
  type: 'promptString',
  id: 'oauth-client-secret',
  description: 'Client secret of your OAuth client (kept by VS Code, not in this file)',
  password: true,
} as const;

const ENTRY_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;

export function serverEntry(host: HostConfig, request: EntryRequest): ServerEntry {
  if (!ENTRY_NAME.test(request.name)) {
    throw new OAuthToolError(
      'invalid_input',
      `--name "${request.name}" is not a server name: use letters, digits, "-", "_" or ".", starting with a letter or digit.`,
    );
  }
  const serverArgs = request.config ? ['--config', request.config] : [];
  const launch =
    request.launch.kind === 'local'
      ? { command: request.launch.node, args: [request.launch.cli, ...serverArgs] }
      : npx(request, serverArgs);
  const env = environment(host, request);
  return {
    ...(host.serversKey === 'servers' ? { type: 'stdio' as const } : {}),
    ...launch,
    ...(Object.keys(env).length > 0 ? { env } : {}),
  };
}

/** Claude Desktop on Windows starts servers without a shell, and npx is a .cmd there. */
function npx(request: EntryRequest, serverArgs: string[]): { command: string; args: string[] } {
  const args = ['-y', 'oauth-mcp-server', ...serverArgs];
  return request.platform === 'win32' && request.host === 'claude-desktop'
    ? { command: 'cmd', args: ['/c', 'npx', ...args] }
    : { command: 'npx', args };
}

/** The OAUTH_* quick config, checked as the server will check it, with the secret as a reference only. */
function environment(host: HostConfig, request: EntryRequest): Record<string, string> {
  const env: Record<string, string> = {};
  if (request.issuer) env.OAUTH_ISSUER = request.issuer;
  if (request.clientId) env.OAUTH_CLIENT_ID = request.clientId;
  if (request.scopes)
    env.OAUTH_SCOPES = request.scopes
      .split(/[\s,]+/)
      .filter(Boolean)
      .join(' ');
  if ((request.clientId || request.scopes) && !request.issuer) {
    throw new OAuthToolError(
      'invalid_input',
      '--client-id and --scopes need --issuer (the authorization server).',
    );
  }
  if (request.issuer) checkAsTheServerWill(env);
  if (request.clientSecretEnv !== undefined) env.OAUTH_CLIENT_SECRET = secretReference(host, request);
  return env;
}

const FLAGS: Record<string, string> = {
  OAUTH_ISSUER: '--issuer',
  OAUTH_CLIENT_ID: '--client-id',
  OAUTH_SCOPES: '--scopes',
};

/** The quick config through the server's own schema, so what init writes is what the server accepts. */
function checkAsTheServerWill(env: Record<string, string>): void {
  try {
    parseConfig({}, env, { onWarning: () => undefined });
  } catch (error) {
    const problems = (error as Error).message
      .split('\n')
      .filter((line) => /^- OAUTH_[A-Z_]+ \(environment\)/.test(line))
      .map((line) =>
        line.replace(/(OAUTH_[A-Z_]+) \(environment\)/, (_, name: string) => FLAGS[name] ?? name),
      );
    throw new OAuthToolError(
      'invalid_input',
      `The server would refuse this provider:\n${problems.join('\n')}`,
    );
  }
}

function secretReference(host: HostConfig, request: EntryRequest): string {
  const name = request.clientSecretEnv as string;
  if (!request.issuer) throw new OAuthToolError('invalid_input', '--client-secret-env needs --issuer.');
  if (!VARIABLE_NAME.test(name)) {
    throw new OAuthToolError(
      'invalid_input',
      `--client-secret-env takes the name of an environment variable (like OAUTH_CLIENT_SECRET), not the secret itself.`,
    );
  }
  if (host.secret.kind === 'none') {
    throw new OAuthToolError(
      'invalid_input',
      `${host.label} gives a server only the values written in its config file, so the client secret would be stored there in clear, which init never does. Use a public client (no secret: sign-in uses PKCE), or run oauth-mcp in HTTP mode for a confidential client.`,
    );
  }
  return host.secret.kind === 'input' ? `\${input:${SECRET_INPUT.id}}` : host.secret.reference(name);
}

export type MergeStatus = 'created' | 'added' | 'unchanged' | 'differs';

/** The host file with the entry in it, and what changed; `differs` leaves the text as it was. */
export function mergeEntry(
  host: HostConfig,
  path: string,
  existing: string | undefined,
  name: string,
  entry: ServerEntry,
  replace: boolean,
): { text: string; status: MergeStatus | 'replaced'; previous?: unknown } {
  const document = existing === undefined || existing.trim() === '' ? {} : parseHostFile(path, existing);
  const servers = document[host.serversKey] ?? {};
  if (!isObject(servers)) {
    throw new OAuthToolError(
      'invalid_input',
      `"${host.serversKey}" in ${path} is not an object; fix the file first.`,
    );
  }
  const previous = Object.hasOwn(servers, name) ? servers[name] : undefined;
  if (previous !== undefined && JSON.stringify(previous) === JSON.stringify(entry)) {
    return { text: existing as string, status: 'unchanged' };
  }
  if (previous !== undefined && !replace) return { text: existing as string, status: 'differs', previous };
  const merged: Record<string, unknown> = { ...document, [host.serversKey]: { ...servers, [name]: entry } };
  if (usesSecretInput(entry)) merged.inputs = withSecretInput(document.inputs, path);
  const status = existing === undefined ? 'created' : previous === undefined ? 'added' : 'replaced';
  return { text: `${JSON.stringify(merged, null, 2)}\n`, status };
}

function usesSecretInput(entry: ServerEntry): boolean {
  return Object.values(entry.env ?? {}).includes(`\${input:${SECRET_INPUT.id}}`);
}

function withSecretInput(inputs: unknown, path: string): unknown[] {
  if (inputs === undefined) return [SECRET_INPUT];
  if (!Array.isArray(inputs)) {
    throw new OAuthToolError('invalid_input', `"inputs" in ${path} is not a list; fix the file first.`);
  }
  const present = inputs.some((input) => isObject(input) && input.id === SECRET_INPUT.id);
  return present ? inputs : [...inputs, SECRET_INPUT];
}

/** A host file as an object; an error that names the line and column of what JSON.parse stopped at. */
function parseHostFile(path: string, text: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new OAuthToolError(
      'invalid_input',
      `${path} is not plain JSON (${where(text, error as Error)}); init changes nothing in it. If it has comments, add the entry by hand: oauth-mcp init --print shows it.`,
    );
  }
  if (!isObject(parsed)) {
    throw new OAuthToolError('invalid_input', `${path} does not hold a JSON object; fix the file first.`);
  }
  return parsed;
}

/** "line L, column C" of a JSON.parse error (Node 20 says a position, Node 22+ the line and column). */
function where(text: string, error: Error): string {
  const lineColumn = /line (\d+) column (\d+)/.exec(error.message);
  if (lineColumn) return `line ${lineColumn[1]}, column ${lineColumn[2]}`;
  const position = /position (\d+)/.exec(error.message);
  if (!position) return 'it does not parse';
  const before = text.slice(0, Number(position[1])).split('\n');
  return `line ${before.length}, column ${(before.at(-1)?.length ?? 0) + 1}`;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
