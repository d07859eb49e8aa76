// Pending sign-ins as stored records: the typed data of each flow kind and its outcome, read and written
// through the vault, and a change signal per store that wakes this process's waiters at once.

import { EventEmitter } from 'node:events';
import { z } from 'zod';
import { ERROR_CODES, NEXT_ACTIONS, OAuthToolError } from '../../errors.js';
import type { TokenStore } from '../../store/token-store.js';
import type { ResolvedProvider } from '../provider/registry.js';
import { dpopKeySchema, type PendingFlow, STORE_SCHEMA_VERSION } from './records.js';
import { newId, type Vault } from './vault.js';

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
  /** A step-up: the session the new tokens replace, only when the same account signs in (step-up.ts). */
  step_up_session_id: z.string().optional(),
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

type FlowHeader = Omit<PendingFlow, 'data' | 'kind'>;
export type PendingCodeFlow = FlowHeader & { kind: 'authorization_code'; data: CodeFlowData };
export type PendingDeviceFlow = FlowHeader & { kind: 'device_code'; data: DeviceFlowData };
export type PendingSignIn = PendingCodeFlow | PendingDeviceFlow;

const DATA_SCHEMAS: Record<PendingSignIn['kind'], z.ZodType> = {
  authorization_code: codeFlowDataSchema,
  device_code: deviceFlowDataSchema,
};

/** The common fields of a new flow, bound to the provider's server and client; the flow module adds `kind` and `data`. */
export function newFlowHeader(provider: ResolvedProvider, ttlSeconds: number): FlowHeader {
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

export async function readFlow(vault: Vault, flowId: string): Promise<PendingSignIn | undefined> {
  const flow = await vault.getFlow(flowId);
  if (!flow) return undefined;
  const schema = Object.hasOwn(DATA_SCHEMAS, flow.kind)
    ? DATA_SCHEMAS[flow.kind as PendingSignIn['kind']]
    : undefined;
  const data = schema?.safeParse(flow.data);
  if (!data?.success) {
    throw new OAuthToolError(
      'store_unavailable',
      `The pending sign-in ${flowId} is damaged or from another version of oauth-mcp. Start a new sign-in.`,
      { detail: data?.error.message ?? `unknown flow kind "${flow.kind}"` },
    );
  }
  return { ...flow, data: data.data } as PendingSignIn;
}

export async function saveFlow(vault: Vault, flow: PendingSignIn): Promise<void> {
  await vault.putFlow(flow);
  changesOf(vault.store).emit(flow.flow_id);
}

export async function recordOutcome(vault: Vault, flow: PendingSignIn, outcome: FlowOutcome): Promise<void> {
  await saveFlow(vault, { ...flow, data: { ...flow.data, outcome } } as PendingSignIn);
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
 * Calls `listener` when this process writes the flow `flowId` to `store` (other instances sharing the
 * store are not heard: waiters re-read the record too). Returns the function that stops listening.
 */
export function onFlowChange(store: TokenStore, flowId: string, listener: () => void): () => void {
  const changes = changesOf(store);
  changes.on(flowId, listener);
  return () => changes.off(flowId, listener);
}

const changesByStore = new WeakMap<TokenStore, EventEmitter>();

function changesOf(store: TokenStore): EventEmitter {
  let changes = changesByStore.get(store);
  if (!changes) {
    changes = new EventEmitter().setMaxListeners(0);
    changesByStore.set(store, changes);
  }
  return changes;
}
