// oauth-mcp logout [provider|session_id]: revoke at the server where possible, and always forget the session here.

import { OAuthToolError } from '../errors.js';
import { type Command, EXIT } from './command.js';

export const logoutCommand: Command = {
  usage: 'logout [provider|session_id]',
  summary: "sign out: revoke a session's tokens and remove it (default: the default provider's sessions)",
  examples: [
    ['oauth-mcp logout', "sign out of the default provider's sessions"],
    ['oauth-mcp logout ses_...', 'sign out of one session (oauth-mcp status lists them)'],
  ],
  maxPositionals: 1,
  run: async ({ runtime, term, positionals }) => {
    const ctx = runtime.engine.ctx;
    const { revoke } = await import('../auth/index.js');
    const target = positionals[0];
    let sessionIds: string[];
    if (target?.startsWith('ses_')) {
      if (!(await ctx.vault.getSession(target))) {
        term.err(`No session "${target}". oauth-mcp status lists the sessions.`);
        return EXIT.problem;
      }
      sessionIds = [target];
    } else {
      const { name } = await ctx.registry.settings(target);
      sessionIds = (await ctx.vault.listSessions({ provider: name })).map((s) => s.session_id);
      if (sessionIds.length === 0) {
        term.out(`No sessions for ${name}: nothing to sign out of.`);
        return EXIT.ok;
      }
    }
    for (const sessionId of sessionIds) {
      try {
        await revoke(ctx, { sessionId, which: 'all' });
        term.out(`Signed out: ${sessionId} (tokens revoked at the server, session removed).`);
      } catch (error) {
        // Signing out here must not depend on the server: the session is removed either way.
        await ctx.vault.deleteSession(sessionId);
        const why = error instanceof OAuthToolError ? error.message : 'unexpected error';
        term.out(`Signed out: ${sessionId} (session removed here; not revoked at the server: ${why})`);
      }
    }
    return EXIT.ok;
  },
};
