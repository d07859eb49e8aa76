// oauth-mcp status [--json]: providers and sessions; exit 1 when a provider is broken or a session cannot be used.

import type { SessionView } from '../auth/views.js';
import { configLocation } from '../config/index.js';
import { type Command, EXIT } from './command.js';
import { checkProviders } from './provider-checks.js';
import { table } from './terminal.js';

export const statusCommand: Command = {
  usage: 'status [--json]',
  summary: 'providers and sessions (exit 1 if a provider is broken or a session expired)',
  options: { json: { type: 'boolean', help: 'as JSON, for scripts' } },
  examples: [
    ['oauth-mcp status', 'providers, sessions and when each expires'],
    ['oauth-mcp status --json', 'the same as JSON (exit 1 if something needs you)'],
  ],
  maxPositionals: 0,
  run: async ({ runtime, term, values, configFlag }) => {
    const ctx = runtime.engine.ctx;
    const { timeInWords, toSessionView } = await import('../auth/index.js');
    // Never raw tokens here, even with exposeTokens: `oauth-mcp token` is the one command that prints one.
    const stop = term.spinner('Checking the providers...');
    const [providers, stored] = await Promise.all([checkProviders(ctx), ctx.vault.listSessions({})]).finally(
      stop,
    );
    const sessions = stored.map((session) => toSessionView(session, false));
    const unusable = sessions.filter(isUnusable);
    const ok = providers.every((p) => p.ok) && unusable.length === 0;
    if (values.json) {
      const annotated = sessions.map((s) => ({ ...s, usable: !isUnusable(s) }));
      term.out(JSON.stringify({ ok, providers, sessions: annotated, store: ctx.vault.info }, null, 2));
      return ok ? EXIT.ok : EXIT.problem;
    }
    if (providers.length === 0) {
      const { path } = configLocation({ path: configFlag });
      term.err(
        `No providers yet. Add one under "providers" in ${path} (or set OAUTH_ISSUER and OAUTH_CLIENT_ID), or try the commands on the demo server: oauth-mcp demo`,
      );
      return EXIT.ok;
    }
    term.out(
      table([
        ['PROVIDER', 'ISSUER', 'STATE'],
        ...providers.map((p) => [
          `${p.name}${p.is_default ? ' (default)' : ''}`,
          p.issuer,
          p.ok ? 'ok' : 'BROKEN',
        ]),
      ]),
    );
    for (const p of providers.filter((p) => !p.ok)) term.err(`${p.name}: ${p.problem}`);
    term.out('');
    if (sessions.length === 0)
      term.out(`No sessions. Sign in with: oauth-mcp login${values.demo ? ' --demo' : ' [provider]'}`);
    else
      term.out(
        table([
          ['SESSION', 'PROVIDER', 'USER', 'EXPIRES', 'STATE'],
          ...sessions.map((s) => [
            s.session_id,
            s.provider,
            s.subject ?? `(${s.grant})`,
            s.expires_at ? timeInWords(Date.parse(s.expires_at)) : 'never',
            sessionState(s),
          ]),
        ]),
      );
    term.out(`\nStore: ${ctx.vault.info.backend} at ${ctx.vault.info.location} (${ctx.vault.info.reason})`);
    return ok ? EXIT.ok : EXIT.problem;
  },
};

/** Expired with no way to refresh, or a refresh token the server rejected: the person must sign in again. */
function isUnusable(session: SessionView): boolean {
  return session.needs_reauth === true || (session.expired && !session.has_refresh_token);
}

function sessionState(session: SessionView): string {
  if (session.needs_reauth) return 'SIGN IN AGAIN';
  if (session.expired) return session.has_refresh_token ? 'expired (refreshable)' : 'EXPIRED';
  return 'ok';
}
