// oauth-mcp token [provider]: prints a fresh access token for scripts, only where the config sets exposeTokens.

import { type Command, EXIT } from './command.js';

export const tokenCommand: Command = {
  usage: 'token [provider]',
  summary: 'print an access token (only with "exposeTokens": true in the config)',
  maxPositionals: 1,
  run: async ({ runtime, term, positionals }) => {
    const ctx = runtime.engine.ctx;
    if (!ctx.exposeTokens) {
      term.err(
        'Refusing to print a token: raw tokens are shown only when the config sets "exposeTokens": true. Tokens stay in the store; oauth-mcp status shows the sessions without them.',
      );
      return EXIT.problem;
    }
    const { ensureFreshSession, findSession } = await import('../auth/index.js');
    const { session } = await ensureFreshSession(ctx, await findSession(ctx, { provider: positionals[0] }));
    if (session.expires_at && Date.parse(session.expires_at) <= Date.now()) {
      term.err(
        `The access token of ${session.session_id} expired and cannot be refreshed: run oauth-mcp login ${session.provider}.`,
      );
      return EXIT.problem;
    }
    term.out(session.access_token);
    return EXIT.ok;
  },
};
