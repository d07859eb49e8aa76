// Loads a module that depends on an optional peer package (redis, oidc-provider), with a plain error when it is missing.

import { OAuthToolError } from './auth/errors.js';

/** `load` imports our module that imports `pkg`; `feature` says what needs it, e.g. 'store.type "redis"'. */
export async function importOptional<T>(load: () => Promise<T>, pkg: string, feature: string): Promise<T> {
  try {
    return await load();
  } catch (error) {
    const { code, message } = error as { code?: string; message?: string };
    if (code === 'ERR_MODULE_NOT_FOUND' && message?.includes(`'${pkg}'`)) {
      throw new OAuthToolError(
        'not_configured',
        `${feature} needs the optional package "${pkg}", which is not installed. Install it next to oauth-mcp-server: npm i ${pkg} (with npx: npx -y -p oauth-mcp-server -p ${pkg} oauth-mcp ...).`,
      );
    }
    throw error;
  }
}
