// Opens the TokenStore the config asks for; `auto` (the default) prefers the OS keychain.

import { join } from 'node:path';
import { OAuthToolError } from '../auth/errors.js';
import type { Config } from '../config.js';
import { dataDir } from '../config.js';
import type { Logger } from '../log.js';
import { FileStore } from './file-store.js';
import { MemoryStore } from './memory-store.js';
import type { TokenStore } from './token-store.js';

export interface OpenStoreOptions {
  config: Config['store'];
  logger: Logger;
  env?: NodeJS.ProcessEnv;
}

export function defaultFilePath(env: NodeJS.ProcessEnv = process.env): string {
  return join(dataDir(env), 'tokens.json');
}

/** Opening never touches the disk or the keychain: backends connect on first use (start-up stays fast). */
export async function openStore({
  config,
  logger,
  env = process.env,
}: OpenStoreOptions): Promise<TokenStore> {
  const key = config.key ?? env.OAUTH_MCP_STORE_KEY;
  const onWarning = (message: string) => logger.warn(message);
  switch (config.type) {
    case 'memory':
      return new MemoryStore({ reason: 'store.type is "memory": tokens are lost when the server stops' });
    case 'file':
      return new FileStore({
        path: config.path ?? defaultFilePath(env),
        encryptionKey: key,
        reason: 'store.type is "file"',
        onWarning,
      });
    case 'auto': {
      const path = config.path ?? defaultFilePath(env);
      logger.warn(
        `Tokens are kept in the file ${path} (${key ? 'encrypted with OAUTH_MCP_STORE_KEY' : 'NOT encrypted: set OAUTH_MCP_STORE_KEY to encrypt it'}); the OS keychain backend is not available in this build.`,
      );
      return new FileStore({
        path,
        encryptionKey: key,
        reason: 'store.type auto: no OS keychain backend',
        onWarning,
      });
    }
    default:
      throw new OAuthToolError(
        'not_configured',
        `store.type "${config.type}" is not available in this build. Use "auto", "file" or "memory".`,
      );
  }
}
