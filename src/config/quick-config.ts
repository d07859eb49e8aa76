// The OAUTH_* quick config's messages: which variable a config error is about, and variables set in vain.

/** Quick-config variables that are set but ignored, said at start-up rather than silently dropped. */
export function quickConfigWarnings(env: NodeJS.ProcessEnv): string[] {
  if (env.OAUTH_ISSUER) return [];
  const stray = ['OAUTH_CLIENT_ID', 'OAUTH_CLIENT_SECRET', 'OAUTH_SCOPES', 'OAUTH_RESOURCE'].filter(
    (n) => env[n],
  );
  return stray.length
    ? [
        `${stray.join(', ')} ${stray.length > 1 ? 'are' : 'is'} set but OAUTH_ISSUER is not, so ignored: set OAUTH_ISSUER to the authorization server's issuer URL to use the quick config.`,
      ]
    : [];
}

/** Fields of the `default` provider that come from OAUTH_* variables, so an error names the variable. */
export const QUICK_CONFIG_VARIABLES: Record<string, string> = {
  issuer: 'OAUTH_ISSUER',
  clientId: 'OAUTH_CLIENT_ID',
  clientSecret: 'OAUTH_CLIENT_SECRET',
  scopes: 'OAUTH_SCOPES',
  resource: 'OAUTH_RESOURCE',
};
