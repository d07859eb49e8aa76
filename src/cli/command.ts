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

/** Exit codes: 0 fine, 1 something the user should look at (expired, denied, unreachable), 2 usage or config. */
export const EXIT = { ok: 0, problem: 1, usage: 2 } as const;
