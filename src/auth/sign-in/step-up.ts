// Step-up: a sign-in for an existing session that asks for its scopes plus more (after an API answered
// insufficient_scope), at the same provider and resource; the new tokens replace the session's.

import { OAuthToolError } from '../../errors.js';
import type { EngineContext } from '../engine-context.js';
import { findSession } from '../sessions/sessions.js';

interface StepUpRequest {
  provider?: string | undefined;
  sessionId?: string | undefined;
  scopes?: string[] | undefined;
  resource?: string | undefined;
}

/** The request with the session's provider, resource and scopes joined with the requested ones. */
export async function withSessionScopes<T extends StepUpRequest>(ctx: EngineContext, request: T): Promise<T> {
  if (!request.sessionId) return request;
  const session = await findSession(ctx, { sessionId: request.sessionId, provider: request.provider });
  if (session.grant === 'client_credentials') {
    throw new OAuthToolError(
      'invalid_input',
      `Session "${session.session_id}" is a client-credentials token, which no user signs in for: get a new one with more scopes.`,
      { next: { action: 'client_credentials', provider: session.provider, force_new: true } },
    );
  }
  const held = [session.scope, session.requested_scope ?? ''].flatMap((s) => s.split(' ')).filter(Boolean);
  return {
    ...request,
    provider: session.provider,
    scopes: [...new Set([...held, ...(request.scopes ?? [])])],
    resource: request.resource ?? session.resource,
  };
}
