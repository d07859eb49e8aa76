// Assembles config, store, provider registry and engine into one Runtime; used by the CLI (stdio and
// HTTP) and by tests that run the server in-process.

import type { OAuthEngine } from './auth/engine.js';
import type { Config } from './config/index.js';
import type { Logger } from './log.js';
import type { TokenStore } from './store/token-store.js';

export interface Runtime {
  config: Config;
  logger: Logger;
  store: TokenStore;
  engine: OAuthEngine;
  close(): Promise<void>;
}

export async function createRuntime(
  config: Config,
  logger: Logger,
  options: {
    store?: TokenStore;
    env?: NodeJS.ProcessEnv;
    /** HTTP mode, served at `publicUrl` (from `listenHttp`). */
    http?: { publicUrl: string };
  } = {},
): Promise<Runtime> {
  // Loaded here, not at start-up: stdio answers `initialize` while they load (see cli.ts).
  const [{ openStore }, { createEngine }] = await Promise.all([
    import('./store/index.js'),
    import('./auth/engine.js'),
  ]);
  const store =
    options.store ??
    (await openStore({ config: config.store, logger, ...(options.env ? { env: options.env } : {}) }));
  const engine = createEngine({
    config,
    store,
    logger,
    ...(options.http ? { callbackUrl: `${options.http.publicUrl}/oauth/callback` } : {}),
    ...(options.env ? { env: options.env } : {}),
  });
  return { config, logger, store, engine, close: () => store.close() };
}
