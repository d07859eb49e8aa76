// How a people's command that failed with an OAuthToolError is told: the message, the command to run next
// (tools/next-step.ts names tools for models; a person in a terminal gets a command) and the exit code.

import { type NextStep, OAuthToolError } from '../errors.js';
import { redact } from '../log.js';
import { EXIT } from './command.js';
import type { Terminal } from './terminal.js';

const named = (next: NextStep) => (next.provider === undefined ? '' : ` ${next.provider}`);

/** The command for each next step a person can take from a terminal; the others are MCP tools' alone. */
function nextCommand(next: NextStep, flags: string): string | undefined {
  switch (next.action) {
    case 'sign_in':
    case 'continue_sign_in':
      return `Run oauth-mcp login${named(next)}${flags} to sign in.`;
    case 'remove_session':
      return `Run oauth-mcp logout${next.session_id ? ` ${next.session_id}` : named(next)}${flags} to remove it.`;
    case 'list_sessions':
      return `Run oauth-mcp status${flags} to see the sessions.`;
    case 'discover':
      return `Run oauth-mcp doctor${flags} to check the providers.`;
    case 'retry':
      return 'Try again later.';
    case 'client_credentials':
    case 'register_client':
    case 'forget_client':
      return undefined;
  }
}

/**
 * Writes a command's failure to the terminal and returns its exit code: 2 for what the person typed or
 * configured (invalid_input, not_configured), 1 for the rest. Anything else is rethrown, as a bug.
 */
export function reportFailure(thrown: unknown, term: Terminal, options: { demo?: boolean } = {}): number {
  if (!(thrown instanceof OAuthToolError)) throw thrown;
  const next = thrown.next && nextCommand(thrown.next, options.demo ? ' --demo' : '');
  term.err(`oauth-mcp: ${redact(next ? `${thrown.message} ${next}` : thrown.message)}`);
  return thrown.code === 'invalid_input' || thrown.code === 'not_configured' ? EXIT.usage : EXIT.problem;
}
