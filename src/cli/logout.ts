// oauth-mcp logout [provider|session_id]: revoke at the server where possible, and always forget the session here.

import { OAuthToolError } from '../errors.js';
import { type Command, EXIT } from './command.js';

export const logoutCommand: Command = {
  usage: 'logout [provider|session_id] [--json]',
  summary: "sign out: revoke a session's tokens and remove it (default: the default provider's sessions)",
  options: { json: { type: 'boolean', help: 'what was signed out, as JSON' } },
  examples: [
    ['oauth-mcp logout', "sign out of the default provider's sessions"],
    ['oauth-mcp logout ses_...', 'sign out of one session (oauth-mcp status lists them)'],
  ],
  maxPositionals: 1,
  run: async ({ runtime, term, positionals, values }) => {
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
        if (values.json) term.out(JSON.stringify({ signed_out: [] }, null, 2));
        else term.out(`No sessions for ${name}: nothing to sign out of.`);
        return EXIT.ok;
      }
    }
    const signedOut: { session_id: string; revoked: boolean; problem?: string }[] = [];
    for (const sessionId of sessionIds) {
      const stop = term.spinner(`Revoking ${sessionId} at the server...`);
      try {
        const { not_revoked_reason } = await revoke(ctx, { sessionId, which: 'all' });
        signedOut.push({
          session_id: sessionId,
          revoked: not_revoked_reason === undefined,
          ...(not_revoked_reason ? { problem: not_revoked_reason } : {}),
        });
      } catch (error) {
        // Signing out here must not depend on the server: the session is removed either way.
        await ctx.vault.deleteSession(sessionId);
        const problem = error instanceof OAuthToolError ? error.message : 'unexpected error';
        signedOut.push({ session_id: sessionId, revoked: false, problem });
      } finally {
        stop();
      }
    }
    if (values.json) term.out(JSON.stringify({ signed_out: signedOut }, null, 2));
    else
      for (const { session_id, revoked, problem } of signedOut)
        term.out(
          revoked
            ? `Signed out: ${session_id} (tokens revoked at the server, session removed).`
            : `Signed out: ${session_id} (session removed here; not revoked at the server: ${problem})`,
        );
    return EXIT.ok;
  },
};
