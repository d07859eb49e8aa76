// What the config file does not say: old key names, the environment and command-line flags laid over it.

import type { Config } from './index.js';

/** Command-line flags that override the config file. */
export interface ConfigFlags {
  /** `--no-browser`. */
  noBrowser?: boolean | undefined;
}

/**
 * Keys renamed because two unrelated settings shared a name (`api.allowedOrigins`, API origins for tokens,
 * keeps its name); the old name is still read, with a warning.
 */
const RENAMED_KEYS = [{ section: 'http', from: 'allowedOrigins', to: 'allowedBrowserOrigins' }] as const;

/**
 * Moves renamed keys of the raw file content to their new names, one warning per old key found. When
 * both names are given the old one stays, and the strict schema rejects it.
 */
export function renameDeprecatedKeys(raw: unknown, warn: (message: string) => void): void {
  if (!isObject(raw)) return;
  for (const { section, from, to } of RENAMED_KEYS) {
    const part = raw[section];
    if (!isObject(part) || !Object.hasOwn(part, from)) continue;
    warn(`config "${section}.${from}" is deprecated: rename it to "${section}.${to}" (same meaning).`);
    if (Object.hasOwn(part, to)) continue;
    raw[section] = Object.fromEntries(
      Object.entries(part).map(([key, value]) => [key === from ? to : key, value]),
    );
  }
}

/**
 * The environment and flags over a validated config: OAUTH_MCP_STORE_KEY when the file gives no
 * store.key; no browser with --no-browser, CI or OAUTH_MCP_NO_BROWSER.
 */
export function applyOverlays(config: Config, env: NodeJS.ProcessEnv, flags: ConfigFlags = {}): Config {
  const storeKey = config.store.key ?? (env.OAUTH_MCP_STORE_KEY || undefined);
  return {
    ...config,
    store: storeKey === undefined ? config.store : { ...config.store, key: storeKey },
    openBrowser:
      config.openBrowser && !flags.noBrowser && !isTruthy(env.CI) && !isTruthy(env.OAUTH_MCP_NO_BROWSER),
  };
}

function isTruthy(value: string | undefined): boolean {
  return value !== undefined && value !== '' && value !== '0' && value.toLowerCase() !== 'false';
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
