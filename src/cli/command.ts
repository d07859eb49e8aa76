// The shape of a people's command and what it runs with: the same runtime (config, store, engine) as the MCP server.

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

/** A flag of one command: parsed by node:util parseArgs, described by `help`. */
export interface CommandOption {
  type: 'boolean' | 'string';
  /** A one-letter alias (`-h`). */
  short?: string;
  /** What the value is, for string options (`--port PORT`). */
  value?: string;
  help: string;
}

interface CommandHelp {
  usage: string;
  summary: string;
  /** Command lines with what each does; `help <command>` shows them and test/cli runs them. */
  examples: [command: string, what: string][];
  options?: Record<string, CommandOption>;
  maxPositionals: number;
}

/** A command on the config, store and engine. */
export interface Command extends CommandHelp {
  standalone?: false;
  /** Runs even when the config cannot be loaded, and is told why (doctor explains a broken config). */
  onBrokenConfig?: (input: Omit<CommandInput, 'runtime'> & { problem: Error }) => Promise<number>;
  /** Resolves to the process exit code. */
  run(input: CommandInput): Promise<number>;
}

/** A command that needs no config or store (the demo authorization server). */
export interface StandaloneCommand extends CommandHelp {
  standalone: true;
  run(input: Omit<CommandInput, 'runtime' | 'configFlag'>): Promise<number>;
}

/** Exit codes: 0 fine, 1 something to look at (expired, denied, unreachable), 2 usage or config. */
export const EXIT = { ok: 0, problem: 1, usage: 2 } as const;
