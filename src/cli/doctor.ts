// oauth-mcp doctor [--json]: where the config comes from, which store is used and why, each provider reachable.

import { existsSync } from 'node:fs';
import { type Config, configLocation as locate } from '../config/index.js';
import type { StoreInfo } from '../store/token-store.js';
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
    const location = values.demo
      ? {
          path: `the demo server of oauth-mcp demo (${runtime.config.providers.demo?.issuer})`,
          from: '--demo',
        }
      : locate({ path: configFlag });
    const config = {
      path: location.path,
      from: location.from,
      exists: values.demo === true || existsSync(location.path),
      quick_config_from_env: Boolean(process.env.OAUTH_ISSUER),
    };
    const stop = term.spinner('Checking the store and every provider...');
    // The auto store picks its backend on first use: touch it so the answer is the real one.
    const storeProblem = await runtime.store.keys('session:').then(
      () => undefined,
      (error: Error) => error.message,
    );
    const warning = storeWarning(ctx.vault.info, runtime.config);
    const store = {
      ...ctx.vault.info,
      ok: storeProblem === undefined,
      ...(storeProblem ? { problem: storeProblem } : {}),
      ...(warning ? { warning } : {}),
    };
    const providers = await checkProviders(ctx).finally(stop);
    const browser = canOpenBrowser(ctx.openBrowser);
    const ok = store.ok && providers.length > 0 && providers.every((p) => p.ok);
    if (values.json) {
      term.out(JSON.stringify({ ok, config, store, providers, browser }, null, 2));
      return ok ? EXIT.ok : EXIT.problem;
    }
    const mark = (good: boolean, warn = false) => (!good ? 'FAIL' : warn ? 'WARN' : 'ok  ');
    term.out(
      `ok   config: ${config.path} (${config.from === 'default' ? 'default location' : `from ${config.from}`}${config.exists ? '' : ', not present'})${config.quick_config_from_env ? ' + provider "default" from OAUTH_ISSUER' : ''}`,
    );
    term.out(
      `${mark(store.ok, warning !== undefined)} store: ${store.backend} at ${store.location}${store.encrypted ? ', encrypted' : ', NOT encrypted'} (${store.reason})${storeProblem ? `: ${storeProblem}` : ''}`,
    );
    if (warning) term.out(`     ${warning}`);
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
  onBrokenConfig: async ({ term, values, configFlag, problem }) => {
    const location = locate({ path: configFlag });
    const message = problem.message;
    if (values.json) {
      term.out(
        JSON.stringify(
          { ok: false, config: { ...location, exists: existsSync(location.path), problem: message } },
          null,
          2,
        ),
      );
    } else {
      term.out(
        `FAIL config: ${location.path} (${location.from === 'default' ? 'default location' : `from ${location.from}`})`,
      );
      term.out(message.replace(/^/gm, '     '));
      term.out(
        '     The store and the providers are checked once the config loads: fix it, then run oauth-mcp doctor again.',
      );
    }
    return EXIT.problem;
  },
};

/** What is usable but weaker than it should be: tokens in clear text in a file, or kept only in memory. */
function storeWarning(info: StoreInfo, config: Config): string | undefined {
  if (info.backend === 'memory') {
    return 'Sessions live only as long as the process: set store.type to "auto", "keychain" or "file" to keep them.';
  }
  if (info.backend === 'file' && !info.encrypted && !config.store.key) {
    return 'Tokens in this file are readable by anyone who can read the file: set OAUTH_MCP_STORE_KEY (or store.key) to a passphrase of 16+ characters to encrypt it.';
  }
  return undefined;
}
