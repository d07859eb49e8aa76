// Is each provider usable? Resolving it discovers its authorization server, so a failure says what is wrong.

import type { EngineContext, ProviderSummary } from '../auth/index.js';
import { OAuthToolError } from '../errors.js';

interface ProviderCheck extends ProviderSummary {
  ok: boolean;
  /** What is wrong, in the engine's own words (no secrets). */
  problem?: string;
  /** Which of the endpoints people's commands and tools use the server offers. */
  endpoints?: Record<'authorization' | 'token' | 'device_authorization' | 'revocation' | 'userinfo', boolean>;
}

export async function checkProviders(ctx: EngineContext): Promise<ProviderCheck[]> {
  const providers = await ctx.registry.describeProviders();
  return Promise.all(
    providers.map(async (summary): Promise<ProviderCheck> => {
      try {
        const { metadata } = await ctx.registry.resolve(summary.name);
        return {
          ...summary,
          ok: true,
          endpoints: {
            authorization: Boolean(metadata.authorization_endpoint),
            token: Boolean(metadata.token_endpoint),
            device_authorization: Boolean(metadata.device_authorization_endpoint),
            revocation: Boolean(metadata.revocation_endpoint),
            userinfo: Boolean(metadata.userinfo_endpoint),
          },
        };
      } catch (error) {
        const problem = error instanceof OAuthToolError ? error.message : 'unexpected error (see the log)';
        if (!(error instanceof OAuthToolError)) ctx.logger.error(`checking ${summary.name}`, { error });
        return { ...summary, ok: false, problem };
      }
    }),
  );
}
