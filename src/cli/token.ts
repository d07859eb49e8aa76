// oauth-mcp token [provider]: prints a fresh access token to the person at the terminal (or their pipe), like `gh auth token`.

import { type Command, EXIT } from './command.js';

export const tokenCommand: Command = {
  usage: 'token [provider] [--json] [--client-credentials]',
  summary: 'print an access token, refreshed first (--json: with expiry and scope)',
  options: {
    json: {
      type: 'boolean',
      help: 'as JSON: access_token, token_type, expires_at, scope, provider, session_id',
    },
    'client-credentials': {
      type: 'boolean',
      help: 'a machine token of a confidential client (client credentials grant) instead of a signed-in session',
    },
  },
  examples: [
    ['oauth-mcp token', "the default provider's access token"],
    ['curl -H "Authorization: Bearer $(oauth-mcp token work)" URL', 'use it in a script'],
    ['oauth-mcp token --json', 'with its expiry and scope'],
    ['oauth-mcp token --demo --client-credentials', "a machine token from the demo's confidential client"],
  ],
  maxPositionals: 1,
  // No exposeTokens check: that setting governs what tools show a model. The person at this terminal owns
  // the store and could read it anyway; the token goes to stdout only, never to a log or an error.
  run: async ({ runtime, term, positionals, values }) => {
    const ctx = runtime.engine.ctx;
    const { ensureFreshSession, findSession, grantClientCredentials } = await import('../auth/index.js');
    const provider = positionals[0];
    const session = values['client-credentials']
      ? (await grantClientCredentials(ctx, { provider })).session
      : (await ensureFreshSession(ctx, await findSession(ctx, { provider }))).session;
    if (session.expires_at && Date.parse(session.expires_at) <= Date.now()) {
      term.err(
        `The access token of ${session.session_id} expired and cannot be refreshed: run oauth-mcp login ${session.provider}.`,
      );
      return EXIT.problem;
    }
    if (values.json) {
      term.out(
        JSON.stringify(
          {
            access_token: session.access_token,
            token_type: session.token_type,
            expires_at: session.expires_at ?? null,
            scope: session.scope,
            provider: session.provider,
            session_id: session.session_id,
          },
          null,
          2,
        ),
      );
    } else term.out(session.access_token);
    return EXIT.ok;
  },
};
