// Opens the TokenStore the config asks for; `auto` (the default) prefers the OS keychain.

import { join } from 'node:path';
import type { Config } from '../config/index.js';
import { dataDir } from '../config/index.js';
import { OAuthToolError } from '../errors.js';
import type { Logger } from '../log.js';
import { importOptional } from '../optional-package.js';
import { pinSecret } from '../secrets/index.js';
import type { TokenStore } from './token-store.js';

export interface OpenStoreOptions {
  config: Config['store'];
  logger: Logger;
  env?: NodeJS.ProcessEnv;
}

function defaultFilePath(env: NodeJS.ProcessEnv = process.env): string {
  return join(dataDir(env), 'tokens.json');
}

/** Cross-process locks of the keychain backend (a refresh serialized across Claude Desktop and Cursor). */
export function keychainLockDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(dataDir(env), 'keychain-locks');
}

/**
 * Opening never touches the disk or the keychain: backends connect on first use, and only the chosen
 * backend's modules are loaded (node-redis alone takes longer to load than the rest of the server).
 *
 * @example
 * const store = await openStore({ config: { type: 'file', path: '/var/lib/app/tokens.json' }, logger: createLogger() });
 * @see README.md#where-tokens-are-kept
 */
export async function openStore({
  config,
  logger,
  env = process.env,
}: OpenStoreOptions): Promise<TokenStore> {
  const key = config.key;
  pinSecret(key);
  const onWarning = (message: string) => logger.warn(message);
  switch (config.type) {
    case 'memory': {
      const { MemoryStore } = await import('./memory-store.js');
      return new MemoryStore({ reason: 'store.type is "memory": tokens are lost when the server stops' });
    }
    case 'file': {
      const { FileStore } = await import('./file-store.js');
      const path = config.path ?? defaultFilePath(env);
      if (key === undefined) {
        logger.warn(
          `store.type "file" keeps tokens in ${path} NOT encrypted (only file mode 0600 protects them). To encrypt it, set OAUTH_MCP_STORE_KEY (or store.key in the config) to a passphrase of 16+ characters; the file is encrypted on the next write.`,
        );
      }
      return new FileStore({
        path,
        encryptionKey: key,
        reason: 'store.type is "file"',
        onWarning,
      });
    }
    case 'redis': {
      if (!config.url || !key) {
        throw new OAuthToolError(
          'not_configured',
          `store.type "redis" needs ${config.url ? '' : 'store.url (e.g. "redis://127.0.0.1:6379") and '}a key to encrypt tokens at rest: set store.key or OAUTH_MCP_STORE_KEY, the same on every instance.`,
        );
      }
      const { RedisStore } = await importOptional(
        () => import('./redis-store.js'),
        'redis',
        'store.type "redis"',
      );
      return new RedisStore({
        url: config.url,
        encryptionKey: key,
        reason: 'store.type is "redis"',
        onWarning,
      });
    }
    case 'keychain': {
      const { KeychainStore } = await import('./keychain-store.js');
      return new KeychainStore({
        lockDir: keychainLockDir(env),
        env,
        onWarning,
        reason: 'store.type is "keychain"',
      });
    }
    case 'auto': {
      const { AutoStore } = await import('./auto-store.js');
      return new AutoStore({
        keychain: { lockDir: keychainLockDir(env), env, onWarning },
        file: { path: config.path ?? defaultFilePath(env), encryptionKey: key, onWarning },
        warn: onWarning,
      });
    }
    default:
      throw new OAuthToolError(
        'not_configured',
        `store.type "${config.type}" is not available in this build. Use "auto", "file", "memory" or "redis".`,
      );
  }
}
