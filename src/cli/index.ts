// The people's commands (login, status, logout, providers, token, doctor): parse, open the runtime, run one.

import { parseArgs } from 'node:util';
import { loadConfig } from '../config/index.js';
import { OAuthToolError } from '../errors.js';
import { createLogger } from '../log.js';
import { createRuntime } from '../runtime.js';
import { type Command, EXIT, type StandaloneCommand } from './command.js';
import { doctorCommand } from './doctor.js';
import { reportFailure } from './failure.js';
import { initCommand } from './init.js';
import { loginCommand } from './login.js';
import { logoutCommand } from './logout.js';
import { providersCommand } from './providers.js';
import { statusCommand } from './status.js';
import { processTerminal, type Terminal } from './terminal.js';
import { tokenCommand } from './token.js';

export const COMMANDS: Record<string, Command | StandaloneCommand> = {
  login: loginCommand,
  status: statusCommand,
  logout: logoutCommand,
  providers: providersCommand,
  token: tokenCommand,
  doctor: doctorCommand,
  init: initCommand,
};

export const COMMANDS_HELP = Object.values(COMMANDS)
  .map((command) => `  ${command.usage.padEnd(39)} ${command.summary}`)
  .join('\n');

export function isCommand(name: string | undefined): name is string {
  return name !== undefined && Object.hasOwn(COMMANDS, name);
}

/** Runs `oauth-mcp <name> ...argv`; resolves to the exit code. */
export async function runCommand(
  name: string,
  argv: string[],
  term: Terminal = processTerminal(),
): Promise<number> {
  const command = COMMANDS[name];
  if (!command) throw new OAuthToolError('invalid_input', `Unknown command "${name}".`);
  const parsed = parseArgs({
    args: argv,
    strict: true,
    allowPositionals: true,
    options: {
      config: { type: 'string' },
      'no-browser': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
      ...command.options,
    },
  });
  const positionals = parsed.positionals;
  const values = parsed.values as Record<string, string | boolean | undefined>;
  if (values.help) {
    const examples = 'examples' in command && command.examples ? command.examples : [];
    term.out(
      `Usage: oauth-mcp ${command.usage} [--config FILE]\n  ${command.summary}${examples.length ? `\n\nExamples:\n${examples.map((line) => `  ${line}`).join('\n')}` : ''}`,
    );
    return EXIT.ok;
  }
  if (positionals.length > command.maxPositionals) {
    throw new OAuthToolError(
      'invalid_input',
      `Too many arguments: oauth-mcp ${command.usage}. Run oauth-mcp ${name} --help.`,
    );
  }
  const configFlag = values.config as string | undefined;
  if ('standalone' in command) {
    try {
      return await command.run({ term, positionals, values, configFlag });
    } catch (thrown) {
      return reportFailure(thrown, term);
    }
  }
  const logger = createLogger();
  const config = loadConfig({
    path: values.config as string | undefined,
    flags: { noBrowser: values['no-browser'] as boolean | undefined },
    onWarning: (message) => logger.warn(message),
  });
  const runtime = await createRuntime(config, logger);
  try {
    return await command.run({
      runtime,
      term,
      positionals,
      values,
      configFlag,
    });
  } catch (thrown) {
    return reportFailure(thrown, term);
  } finally {
    await runtime.close().catch(() => undefined);
  }
}
