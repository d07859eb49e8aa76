// The shape of a people's command and what it runs with: the same runtime (config, store, engine) as the MCP server.

import type { ParseArgsConfig } from 'node:util';
import type { Runtime } from '../runtime.js';
import type { Terminal } from './terminal.js';

interface CommandInput {
  runtime: Runtime;
  term: Terminal;
  positionals: string[];
  values: Record<string, string | boolean | undefined>;
  /** The --config value, if any (doctor says where the config came from). */
  configFlag: string | undefined;
}

export interface Command {
  usage: string;
  summary: string;
  options?: NonNullable<ParseArgsConfig['options']>;
  maxPositionals: number;
  /** Resolves to the process exit code. */
  run(input: CommandInput): Promise<number>;
}

/** A command that needs no config, store or engine (init): it runs before any of them is opened. */
export interface StandaloneCommand {
  standalone: true;
  usage: string;
  summary: string;
  options?: NonNullable<ParseArgsConfig['options']>;
  maxPositionals: number;
  /** Command lines shown by --help. */
  examples?: string[];
  run(input: Omit<CommandInput, 'runtime'>): Promise<number>;
}

/** Exit codes: 0 fine, 1 something the user should look at (expired, denied, unreachable), 2 usage or config. */
export const EXIT = { ok: 0, problem: 1, usage: 2 } as const;
