// Pending sign-ins in the vault: the typed data of each flow kind, its outcome, and turning tokens into the
// user's session (one per provider and subject), so any instance on the same store can finish a flow.

import { EventEmitter } from 'node:events';
import type * as client from 'openid-client';
import { z } from 'zod';
import { ERROR_CODES, NEXT_ACTIONS, OAuthToolError } from '../../errors.js';
import type { EngineContext } from '../engine-context.js';
import type { ResolvedProvider } from '../provider/registry.js';
import {
  type DPoPKey,
  dpopKeySchema,
  type PendingFlow,
  STORE_SCHEMA_VERSION,
  type StoredSession,
} from '../repository/records.js';
import { newId, type Vault } from '../repository/vault.js';
import { bindingMismatch, resolveBound, type StaleAdvice } from '../sessions/issuer-binding.js';
import { sessionFromTokens } from '../sessions/sessions.js';
import { assertCompletedByInitiator } from './initiator-binding.js';

/** How long a browser sign-in may take before the flow expires (device flows use the AS's expires_in). */
export const CODE_FLOW_TTL_SECONDS = 600;

/** HTTP mode: pending sign-ins one user may hold at once (each is a store record and an index entry). */
const MAX_PENDING_SIGN_INS = 10;
/** No flow stays pending longer, whatever the AS's device-code expires_in says. */
const MAX_PENDING_FLOW_SECONDS = 1800;

const outcomeSchema = z.discriminatedUnion('status', [
  z.object({ status: z.literal('authenticated'), session_id: z.string() }),
  z.object({ status: z.literal('denied'), description: z.string().optional() }),
  z.object({ status: z.literal('expired') }),
  z.object({
    status: z.literal('failed'),
    code: z.enum(ERROR_CODES),
    message: z.string(),
    oauth_error: z.string().optional(),
    oauth_error_description: z.string().optional(),
    next: z
      .object({
        action: z.enum(NEXT_ACTIONS),
        provider: z.string().optional(),
        session_id: z.string().optional(),
        flow_id: z.string().optional(),
        scopes: z.array(z.string()).optional(),
        force_new: z.boolean().optional(),
      })
      .optional(),
  }),
]);
export type FlowOutcome = z.infer<typeof outcomeSchema>;

const common = {
  scope: z.string(),
  resource: z.string().optional(),
  outcome: outcomeSchema.optional(),
  /** HTTP mode with http.auth: who asked for the sign-in (their bearer token's `iss` and `sub`). */
  initiator: z.object({ iss: z.string(), sub: z.string() }).optional(),
};

const codeFlowDataSchema = z.object({
  ...common,
  redirect_uri: z.string(),
  state: z.string(),
  code_verifier: z.string(),
  nonce: z.string().optional(),
  authorization_url: z.string(),
  /** DPoP providers: the key the code is bound to (`dpop_jkt`, RFC 9449 10) and the tokens will be. */
  dpop_key: dpopKeySchema.optional(),
  /** HTTP mode: the `/oauth/start/<handle>` page handed out instead of authorization_url. */
  start_handle: z.string().optional(),
  start_url: z.string().optional(),
  /** HTTP mode: the hash of the cookie of the browser that continued on the start page. */
  browser_binding: z.string().optional(),
});
export type CodeFlowData = z.infer<typeof codeFlowDataSchema>;

const deviceFlowDataSchema = z.object({
  ...common,
  device_code: z.string(),
  user_code: z.string(),
  verification_uri: z.string(),
  verification_uri_complete: z.string().optional(),
  interval: z.number().optional(),
});
export type DeviceFlowData = z.infer<typeof deviceFlowDataSchema>;

export type SignInFlow =
  | (Omit<PendingFlow, 'data' | 'kind'> & { kind: 'authorization_code'; data: CodeFlowData })
  | (Omit<PendingFlow, 'data' | 'kind'> & { kind: 'device_code'; data: DeviceFlowData });

/** Wakes waiters in this process as soon as a flow they wait for changes (other instances poll). */
export const flowEvents = new EventEmitter().setMaxListeners(0);

/** The common fields of a new flow, bound to the provider's server and client; the flow module adds `kind` and `data`. */
export function newFlowHeader(
  provider: ResolvedProvider,
  ttlSeconds: number,
): Omit<PendingFlow, 'kind' | 'data'> {
  const now = Date.now();
  const ttl = Number.isFinite(ttlSeconds) ? Math.min(Math.max(1, ttlSeconds), MAX_PENDING_FLOW_SECONDS) : 1;
  return {
    v: STORE_SCHEMA_VERSION,
    flow_id: newId('flw'),
    provider: provider.name,
    issuer: provider.metadata.issuer,
    client_id: provider.configuration.clientMetadata().client_id,
    created_at: new Date(now).toISOString(),
    expires_at: new Date(now + ttl * 1000).toISOString(),
  };
}

/** The provider a pending flow is finished with: only the server and client it was started with. */
export function resolveFlowProvider(ctx: EngineContext, flow: SignInFlow): Promise<ResolvedProvider> {
  return resolveBound(ctx, flow, `The pending sign-in "${flow.flow_id}"`, STALE_FLOW_ADVICE);
}

export const STALE_FLOW_ADVICE: StaleAdvice = { text: 'Nothing was signed in.', next: { action: 'sign_in' } };

/** HTTP mode: one user cannot fill the shared store with sign-ins nobody finishes. */
export async function assertPendingQuota(ctx: EngineContext): Promise<void> {
  if (!ctx.httpMode || (await ctx.vault.countFlows()) < MAX_PENDING_SIGN_INS) return;
  throw new OAuthToolError(
    'forbidden',
    `You already have ${MAX_PENDING_SIGN_INS} sign-ins waiting. Finish one or let them expire (${CODE_FLOW_TTL_SECONDS / 60} minutes) before starting another.`,
    { next: { action: 'continue_sign_in' } },
  );
}

export async function readFlow(vault: Vault, flowId: string): Promise<SignInFlow | undefined> {
  const flow = await vault.getFlow(flowId);
  if (!flow) return undefined;
  const schema = flow.kind === 'device_code' ? deviceFlowDataSchema : codeFlowDataSchema;
  const data = schema.safeParse(flow.data);
  if (!data.success || (flow.kind !== 'device_code' && flow.kind !== 'authorization_code')) {
    throw new OAuthToolError(
      'store_unavailable',
      `The pending sign-in ${flowId} is damaged or from another version of oauth-mcp. Start a new sign-in.`,
      { detail: data.error?.message },
    );
  }
  return { ...flow, data: data.data } as SignInFlow;
}

export async function saveFlow(vault: Vault, flow: SignInFlow): Promise<void> {
  await vault.putFlow(flow);
  flowEvents.emit(flow.flow_id);
}

export async function recordOutcome(vault: Vault, flow: SignInFlow, outcome: FlowOutcome): Promise<void> {
  await saveFlow(vault, { ...flow, data: { ...flow.data, outcome } } as SignInFlow);
}

export function failedOutcome(error: OAuthToolError): FlowOutcome {
  return { status: 'failed', ...error.toJSON(), ...(error.next ? { next: error.next } : {}) };
}

export function errorOf(outcome: Extract<FlowOutcome, { status: 'failed' }>): OAuthToolError {
  return new OAuthToolError(outcome.code, outcome.message, {
    ...(outcome.oauth_error ? { oauthError: outcome.oauth_error } : {}),
    ...(outcome.oauth_error_description ? { oauthErrorDescription: outcome.oauth_error_description } : {}),
    ...(outcome.next ? { next: outcome.next } : {}),
  });
}

/**
 * Stores the tokens of a finished sign-in as the session of (provider, subject): signing in again as
 * the same user replaces that session in place (same session_id), another user gets a session of their own.
 * Refused when the account is not the requester's (initiator-binding.ts); records who completed it and when.
 */
export async function storeSignedInSession(
  ctx: EngineContext,
  flow: SignInFlow,
  tokens: client.TokenEndpointResponse & client.TokenEndpointResponseHelpers,
  dpopKey?: DPoPKey,
): Promise<StoredSession> {
  const provider = await resolveFlowProvider(ctx, flow);
  const subject = tokens.id_token ? tokens.claims()?.sub : undefined;
  assertCompletedByInitiator(flow.data.initiator, provider.metadata.issuer, subject);
  const fresh: StoredSession = {
    ...sessionFromTokens({
      provider: flow.provider,
      issuer: provider.metadata.issuer,
      clientId: provider.configuration.clientMetadata().client_id,
      grant: flow.kind,
      requestedScope: flow.data.scope,
      resource: flow.data.resource,
      tokens,
      dpopKey,
    }),
    ...(subject ? { completed_by: subject } : {}),
    completed_at: new Date().toISOString(),
  };
  const previous = fresh.subject
    ? (await ctx.vault.listSessions({ provider: flow.provider })).find(
        (s) =>
          s.grant !== 'client_credentials' &&
          s.subject === fresh.subject &&
          !bindingMismatch(s, fresh.issuer, fresh.client_id),
      )
    : undefined;
  const session = previous
    ? { ...fresh, session_id: previous.session_id, created_at: previous.created_at }
    : fresh;
  await ctx.vault.putSession(session);
  return session;
}
