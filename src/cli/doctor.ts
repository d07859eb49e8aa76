// oauth-mcp doctor [--json]: where the config comes from, which store is used and why, each provider reachable.

import { existsSync } from 'node:fs';
import { configLocation } from '../config/index.js';
import { type Command, EXIT } from './command.js';
import { checkProviders } from './provider-checks.js';

export const doctorCommand: Command = {
  usage: 'doctor [--json]',
  summary: 'check the config, the token store and every provider',
  options: { json: { type: 'boolean', help: 'as JSON, for scripts and bug reports' } },
  examples: [
    ['oauth-mcp doctor', 'what to fix first, if anything'],
    ['oauth-mcp doctor --config ./config.json', 'check another config file'],
  ],
  maxPositionals: 0,
  run: async ({ runtime, term, values, configFlag }) => {
    const ctx = runtime.engine.ctx;
    const { canOpenBrowser } = await import('../auth/index.js');
    const location = configLocation({ path: configFlag });
    const config = {
      path: location.path,
      from: location.from,
      exists: existsSync(location.path),
      quick_config_from_env: Boolean(process.env.OAUTH_ISSUER),
    };
    const stop = term.spinner('Checking the store and every provider...');
    // The auto store picks its backend on first use: touch it so the answer is the real one.
    const storeProblem = await runtime.store.keys('session:').then(
      () => undefined,
      (error: Error) => error.message,
    );
    const store = {
      ...ctx.vault.info,
      ok: storeProblem === undefined,
      ...(storeProblem ? { problem: storeProblem } : {}),
    };
    const providers = await checkProviders(ctx).finally(stop);
    const browser = canOpenBrowser(ctx.openBrowser);
    const ok = store.ok && providers.length > 0 && providers.every((p) => p.ok);
    if (values.json) {
      term.out(JSON.stringify({ ok, config, store, providers, browser }, null, 2));
      return ok ? EXIT.ok : EXIT.problem;
    }
    const mark = (good: boolean) => (good ? 'ok  ' : 'FAIL');
    term.out(
      `ok   config: ${config.path} (${config.from === 'default' ? 'default location' : `from ${config.from}`}${config.exists ? '' : ', not present'})${config.quick_config_from_env ? ' + provider "default" from OAUTH_ISSUER' : ''}`,
    );
    term.out(
      `${mark(store.ok)} store: ${store.backend} at ${store.location}${store.encrypted ? ', encrypted' : ', NOT encrypted'} (${store.reason})${storeProblem ? `: ${storeProblem}` : ''}`,
    );
    term.out(
      `ok   browser: ${browser ? 'sign-in pages open in your browser' : 'none will be opened (no desktop, --no-browser, CI or openBrowser false): login uses the device flow where offered'}`,
    );
    if (providers.length === 0)
      term.out(
        'FAIL providers: none. Add one under "providers" in the config, or set OAUTH_ISSUER and OAUTH_CLIENT_ID.',
      );
    for (const p of providers) {
      const offered = p.endpoints
        ? Object.entries(p.endpoints)
            .filter(([, present]) => present)
            .map(([name]) => name)
            .join(', ')
        : '';
      term.out(
        `${mark(p.ok)} provider ${p.name}: ${p.issuer}${p.ok ? ` reachable (${offered})` : `: ${p.problem}`}`,
      );
    }
    return ok ? EXIT.ok : EXIT.problem;
  },
};
