// The people's commands (login, status, token, logout, providers, doctor, demo, help): parse, open the
// runtime, run one.

import { parseArgs } from 'node:util';
import { closestName } from '../closest-name.js';
import { type Config, loadConfig } from '../config/index.js';
import { OAuthToolError } from '../errors.js';
import { createLogger } from '../log.js';
import { createRuntime } from '../runtime.js';
import { VERSION } from '../version.js';
import { type Command, type CommandOption, EXIT, type StandaloneCommand } from './command.js';
import { assertDemoRunning, demoCommand, demoConfig } from './demo.js';
import { doctorCommand } from './doctor.js';
import { reportFailure } from './failure.js';
import { COMMON_OPTIONS, commandHelp, overview } from './help.js';
import { initCommand } from './init.js';
import { loginCommand } from './login.js';
import { logoutCommand } from './logout.js';
import { providersCommand } from './providers.js';
import { statusCommand } from './status.js';
import { processTerminal, type Terminal } from './terminal.js';
import { tokenCommand } from './token.js';

const helpCommand: StandaloneCommand = {
  standalone: true,
  usage: 'help [command]',
  summary: 'every command, or one command with its options and examples',
  examples: [
    ['oauth-mcp help', 'every command and the server options'],
    ['oauth-mcp help login', "login's options and examples"],
  ],
  maxPositionals: 1,
  run: async ({ term, positionals }) => {
    const [name] = positionals;
    if (name === undefined) term.out(overview(COMMANDS));
    else term.out(commandHelp(commandNamed(name)));
    return EXIT.ok;
  },
};

const COMMANDS: Record<string, Command | StandaloneCommand> = {
  login: loginCommand,
  status: statusCommand,
  token: tokenCommand,
  logout: logoutCommand,
  providers: providersCommand,
  doctor: doctorCommand,
  demo: demoCommand,
  init: initCommand,
  help: helpCommand,
};

/** `oauth-mcp --help`: the server's options and every command. */
export const helpText = (): string => overview(COMMANDS);

export function isCommand(name: string | undefined): name is string {
  return name !== undefined && Object.hasOwn(COMMANDS, name);
}

function commandNamed(name: string): Command | StandaloneCommand {
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (command) return command;
  const guess = closestName(name, Object.keys(COMMANDS));
  throw new OAuthToolError(
    'invalid_input',
    guess
      ? `Unknown command "${name}". Did you mean oauth-mcp ${guess}?`
      : `Unknown command "${name}". The commands: ${Object.keys(COMMANDS).join(', ')}; oauth-mcp help shows what each does.`,
  );
}

/** Runs `oauth-mcp <name> ...argv`; resolves to the exit code. */
export async function runCommand(
  name: string,
  argv: string[],
  term: Terminal = processTerminal(),
): Promise<number> {
  try {
    return await run(name, argv, term);
  } catch (thrown) {
    return reportFailure(thrown, term, { demo: argv.includes('--demo') });
  }
}

async function run(name: string, argv: string[], term: Terminal): Promise<number> {
  const command = commandNamed(name);
  // The command's own options first: an unknown flag is answered with them.
  const options: Record<string, CommandOption> = command.standalone
    ? { ...command.options, help: COMMON_OPTIONS.help as CommandOption }
    : { ...command.options, ...COMMON_OPTIONS };
  const { positionals, values } = parseCommandLine(name, argv, options);
  if (values.help) {
    term.out(commandHelp(command));
    return EXIT.ok;
  }
  if (positionals.length > command.maxPositionals) {
    throw new OAuthToolError(
      'invalid_input',
      `Too many arguments. Usage: oauth-mcp ${command.usage} (oauth-mcp ${name} --help shows examples).`,
    );
  }
  if (command.standalone) return command.run({ term, positionals, values });

  const configFlag = values.config as string | undefined;
  const warnings: string[] = [];
  let config: Config;
  try {
    config = await commandConfig(values, (message) => warnings.push(message));
  } catch (problem) {
    if (!command.onBrokenConfig || !(problem instanceof Error)) throw problem;
    return command.onBrokenConfig({ term, positionals, values, configFlag, problem });
  }
  // The engine's info lines are for hosts' server logs; a person at a terminal gets the command's own
  // output and warnings, unless log.level asks for more. A log file keeps the info lines for bug reports.
  const logger = createLogger({
    level: config.log.level ?? 'warn',
    fileLevel: config.log.level ?? 'info',
    format: config.log.format,
    file: config.log.file,
  });
  for (const warning of warnings) logger.warn(warning);
  logger.info(`oauth-mcp ${VERSION} ${name} (Node ${process.version}, ${process.platform})`);
  const runtime = await createRuntime(config, logger);
  try {
    const code = await command.run({ runtime, term, positionals, values, configFlag });
    logger.info(`${name} finished with exit code ${code}`);
    return code;
  } catch (thrown) {
    // The log file of a bug report says how the command ended; the terminal hears it from reportFailure.
    if (thrown instanceof OAuthToolError)
      logger.info(`${name} failed: ${thrown.message}`, { code: thrown.code });
    throw thrown;
  } finally {
    await runtime.close().catch(() => undefined);
  }
}

async function commandConfig(
  values: Record<string, string | boolean | undefined>,
  warn: (message: string) => void,
): Promise<Config> {
  const flags = values;
  if (!values.demo) return loadConfig({ path: values.config as string | undefined, flags, onWarning: warn });
  if (values.config) {
    throw new OAuthToolError(
      'invalid_input',
      '--demo uses the demo authorization server instead of a config file: drop either --demo or --config.',
    );
  }
  await assertDemoRunning();
  return demoConfig(process.env, flags);
}

function parseCommandLine(name: string, argv: string[], options: Record<string, CommandOption>) {
  try {
    const parsed = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: true,
      options: Object.fromEntries(
        Object.entries(options).map(([flag, { type, short }]) => [flag, short ? { type, short } : { type }]),
      ),
    });
    return {
      positionals: parsed.positionals,
      values: parsed.values as Record<string, string | boolean | undefined>,
    };
  } catch (error) {
    throw flagError(error, name, Object.keys(options));
  }
}

/** node:util's parse errors in our words: the flag that was meant, or where the flags are listed. */
export function flagError(
  error: unknown,
  command: string | undefined,
  known: string[],
  argv: string[] = [],
): unknown {
  const { code, message } = error as { code?: string; message?: string };
  if (!code?.startsWith('ERR_PARSE_ARGS') || !message) return error;
  // `oauth-mcp --demo login`: the server's flags met a command's name.
  const misplaced = command === undefined ? argv.find(isCommand) : undefined;
  if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL' && misplaced) {
    const others = argv.filter((arg) => arg !== misplaced).join(' ');
    return new OAuthToolError(
      'invalid_input',
      `The command comes first: oauth-mcp ${misplaced}${others ? ` ${others}` : ''}`,
    );
  }
  const where = command ? `oauth-mcp ${command} --help` : 'oauth-mcp --help';
  const unknown = /^Unknown option '(-{1,2})([^']+)'/.exec(message);
  if (unknown) {
    const typed = `${unknown[1]}${unknown[2]}`;
    const guess = closestName(unknown[2] ?? '', known);
    return new OAuthToolError(
      'invalid_input',
      guess
        ? `Unknown option ${typed}. Did you mean --${guess}?`
        : `Unknown option ${typed}${command ? ` for oauth-mcp ${command}` : ''}. Its options: ${known.map((k) => `--${k}`).join(', ')}.`,
    );
  }
  return new OAuthToolError('invalid_input', `${message.split('. ')[0]?.replace(/\.$/, '')}. See ${where}.`);
}
