// Where each MCP host keeps its server list and how it spells an entry: the file per OS, the key that
// holds the servers, and how the host lets a secret stay out of the file (an input prompt or a variable).

import { homedir } from 'node:os';
import { join } from 'node:path';

export const HOST_NAMES = ['claude-desktop', 'cursor', 'vscode', 'claude-code', 'windsurf'] as const;
export type HostName = (typeof HOST_NAMES)[number];

/** Where the host is looked for: the platform, the environment (APPDATA, XDG_CONFIG_HOME) and home. */
export interface HostPlace {
  platform: NodeJS.Platform;
  env: NodeJS.ProcessEnv;
  home: string;
}

export interface HostConfig {
  label: string;
  /** The user-level file the host reads its MCP servers from. */
  path(place: HostPlace): string;
  /** The top-level key holding the servers: `mcpServers`, or VS Code's `servers`. */
  serversKey: 'mcpServers' | 'servers';
  /**
   * How an environment value can name a secret without holding it: the host's `${...}` syntax for a
   * variable of the host's own environment, `input` for VS Code's password prompt, or none at all.
   */
  secret: { kind: 'variable'; reference: (name: string) => string } | { kind: 'input' } | { kind: 'none' };
  /** What the person does after the file is written. */
  restart: string;
}

export function hostPlace(env: NodeJS.ProcessEnv = process.env): HostPlace {
  return { platform: process.platform, env, home: homedir() };
}

/** The per-user application data folder: %APPDATA%, ~/Library/Application Support, or $XDG_CONFIG_HOME. */
function appData({ platform, env, home }: HostPlace): string {
  if (platform === 'win32') return env.APPDATA || join(home, 'AppData', 'Roaming');
  if (platform === 'darwin') return join(home, 'Library', 'Application Support');
  return env.XDG_CONFIG_HOME || join(home, '.config');
}

export const HOSTS: Record<HostName, HostConfig> = {
  'claude-desktop': {
    label: 'Claude Desktop',
    path: (place) => join(appData(place), 'Claude', 'claude_desktop_config.json'),
    serversKey: 'mcpServers',
    secret: { kind: 'none' },
    restart: 'Quit and reopen Claude Desktop.',
  },
  cursor: {
    label: 'Cursor',
    path: ({ home }) => join(home, '.cursor', 'mcp.json'),
    serversKey: 'mcpServers',
    secret: { kind: 'variable', reference: (name) => `\${env:${name}}` },
    restart: 'Cursor picks the server up in Settings > MCP (toggle it on if it is off).',
  },
  vscode: {
    label: 'VS Code',
    path: (place) => join(appData(place), 'Code', 'User', 'mcp.json'),
    serversKey: 'servers',
    secret: { kind: 'input' },
    restart: 'In VS Code run "MCP: List Servers" and start "oauth"; it asks for the secret once.',
  },
  'claude-code': {
    label: 'Claude Code',
    path: ({ home }) => join(home, '.claude.json'),
    serversKey: 'mcpServers',
    secret: { kind: 'variable', reference: (name) => `\${${name}}` },
    restart: 'Start a new claude session; /mcp shows the server.',
  },
  windsurf: {
    label: 'Windsurf',
    path: ({ home }) => join(home, '.codeium', 'windsurf', 'mcp_config.json'),
    serversKey: 'mcpServers',
    secret: { kind: 'variable', reference: (name) => `\${env:${name}}` },
    restart: "Press refresh in Windsurf's MCP panel (Cascade > MCP servers).",
  },
};
