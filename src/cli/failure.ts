// How a people's command that failed with an OAuthToolError is told: the message, the command to run next
// (tools/next-step.ts names tools for models; a person in a terminal gets a command) and the exit code.

import { type NextStep, OAuthToolError } from '../errors.js';
import { redact } from '../log.js';
import { EXIT } from './command.js';
import type { Terminal } from './terminal.js';

const named = (next: NextStep) => (next.provider === undefined ? '' : ` ${next.provider}`);
const login = (next: NextStep) => `Run oauth-mcp login${named(next)} to sign in.`;

/** The command for each next step a person can take from a terminal; the others are MCP tools' alone. */
const COMMANDS: Record<NextStep['action'], (next: NextStep) => string | undefined> = {
  sign_in: login,
  continue_sign_in: login,
  remove_session: (n) => `Run oauth-mcp logout${n.session_id ? ` ${n.session_id}` : named(n)} to remove it.`,
  list_sessions: () => 'Run oauth-mcp status to see the sessions.',
  discover: () => 'Run oauth-mcp doctor to check the providers.',
  retry: () => 'Try again later.',
  client_credentials: () => undefined,
  register_client: () => undefined,
  forget_client: () => undefined,
};

/**
 * Writes a command's failure to the terminal and returns its exit code: 2 for what the user typed or
 * configured (invalid_input, not_configured), 1 for the rest. Anything else is rethrown, as a bug.
 */
export function reportFailure(thrown: unknown, term: Terminal): number {
  if (!(thrown instanceof OAuthToolError)) throw thrown;
  const next = thrown.next && COMMANDS[thrown.next.action](thrown.next);
  term.err(`oauth-mcp: ${redact(next ? `${thrown.message} ${next}` : thrown.message)}`);
  return thrown.code === 'invalid_input' || thrown.code === 'not_configured' ? EXIT.usage : EXIT.problem;
}
