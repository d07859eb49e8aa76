// Stored sessions, cached machine tokens and pending sign-ins belong to the authorization server (issuer)
// and client that issued them, not to a provider name: once the name points elsewhere they are stale and
// are never sent to the new server (its token, revocation, introspection or userinfo endpoint).

import { type NextStep, OAuthToolError } from '../../errors.js';
import type { EngineContext } from '../engine-context.js';
import type { ProviderRegistry, ResolvedProvider } from '../provider/registry.js';

/** Where a stored record came from; flows written before binding existed lack issuer and client_id. */
interface BoundRecord {
  provider: string;
  issuer?: string | undefined;
  client_id?: string | undefined;
}

/** Why `record` does not belong to the server `issuer` and client `clientId`, or undefined when it does. */
export function bindingMismatch(
  record: BoundRecord,
  issuer: string,
  clientId: string | undefined,
): string | undefined {
  if (!record.issuer || !record.client_id) return 'it does not record which server and client issued it';
  if (trimSlashes(record.issuer) !== trimSlashes(issuer)) {
    return `it was issued by ${record.issuer}, but provider "${record.provider}" now names ${issuer}`;
  }
  if (record.client_id !== clientId) {
    return `it was issued to client "${record.client_id}", but provider "${record.provider}" now uses ${clientId ? `client "${clientId}"` : 'no client'}`;
  }
  return undefined;
}

/** Why `record` is stale against its provider's current settings (no network), or undefined. */
export function staleReason(registry: ProviderRegistry, record: BoundRecord): Promise<string | undefined> {
  return staleChecker(registry)(record);
}

/** staleReason for many records: each provider's settings are read once (a registered one is in the store). */
export function staleChecker(
  registry: ProviderRegistry,
): (record: BoundRecord) => Promise<string | undefined> {
  const settings = new Map<string, ReturnType<ProviderRegistry['settings']>>();
  return async (record) => {
    let found = settings.get(record.provider);
    if (!found) {
      found = registry.settings(record.provider);
      settings.set(record.provider, found);
    }
    try {
      const current = (await found).settings;
      return bindingMismatch(record, current.issuer, current.clientId);
    } catch (error) {
      if (error instanceof OAuthToolError && error.code === 'not_configured') {
        return `provider "${record.provider}" is no longer configured`;
      }
      throw error;
    }
  };
}

/**
 * The provider to use a stored record with: resolved only when it still names the issuer and client
 * that issued the record, checked before any request and again against the discovered issuer.
 */
export async function resolveBound(
  ctx: EngineContext,
  record: BoundRecord,
  what: string,
  advice: StaleAdvice,
): Promise<ResolvedProvider> {
  const before = await staleReason(ctx.registry, record);
  if (before) throw staleError(what, before, advice);
  const provider = await ctx.registry.resolve(record.provider);
  const after = bindingMismatch(
    record,
    provider.metadata.issuer,
    provider.configuration.clientMetadata().client_id,
  );
  if (after) throw staleError(what, after, advice);
  return provider;
}

/** What to tell a caller holding a stale record: a sentence, and the step the tools layer names a tool for. */
export interface StaleAdvice {
  text: string;
  next: NextStep;
}

export function staleError(what: string, reason: string, advice: StaleAdvice): OAuthToolError {
  return new OAuthToolError(
    'not_authenticated',
    `${what} is stale: ${reason}. It belongs to that server and client and is never sent to another one. ${advice.text}`,
    { next: advice.next },
  );
}

export const STALE_SESSION_ADVICE: StaleAdvice = {
  text: 'Sign in again (or get a new machine token); removing the stale session deletes it here without contacting any server.',
  next: { action: 'remove_session' },
};

function trimSlashes(issuer: string): string {
  return issuer.replace(/\/+$/, '');
}
