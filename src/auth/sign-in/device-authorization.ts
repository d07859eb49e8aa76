// Device authorization grant (RFC 8628): starts a flow (user code + verification URI at once) and polls the
// token endpoint with openid-client, which keeps the AS's interval and honours slow_down, until told to stop.

import * as client from 'openid-client';
import { OAuthToolError } from '../../errors.js';
import { learnSecret } from '../../secrets/index.js';
import { deadline } from '../deadline.js';
import type { EngineContext } from '../engine-context.js';
import { toToolError } from '../error-mapping.js';
import { authorizationParameters, signInScope, tokenParameters } from '../provider/parameters.js';
import {
  type DeviceFlowData,
  type FlowOutcome,
  failedOutcome,
  newFlowHeader,
  type PendingDeviceFlow,
  readFlow,
  recordOutcome,
  saveFlow,
} from '../repository/flow-records.js';
import { dpopOption, newDPoPKey } from '../tokens/dpop.js';
import { initiatorFields } from './initiator-binding.js';
import { resolveFlowProvider, storeSignedInSession } from './pending-flows.js';
import type { SignInFlow, SignInFlowRequest } from './sign-in-flow.js';
import { stepUpFields } from './step-up.js';
import { userFacingUrl } from './user-facing-url.js';

/** An AS asking for slower polling than this is polled this often anyway (RFC 8628 suggests 5 s). */
const MAX_POLL_INTERVAL_SECONDS = 60;

/** The device sign-in: a user code confirmed on any device, and the token endpoint polled meanwhile. */
export const deviceAuthorization: SignInFlow<PendingDeviceFlow> = {
  kind: 'device_code',
  start: startDeviceFlow,
  wait: pollDeviceFlow,
  // Nothing beside the record: no index entry, no listener.
  release: async () => undefined,
  present(flow) {
    const { verification_uri, verification_uri_complete, user_code } = flow.data;
    return {
      fields: {
        verification_uri,
        ...(verification_uri_complete ? { verification_uri_complete } : {}),
        user_code,
      },
      ask: `Waiting for the user to approve on another device. Ask them to open ${verification_uri_complete ?? verification_uri} and confirm the code ${user_code}`,
      where: `at ${verification_uri} (code ${user_code})`,
      logLine: `open ${verification_uri} and enter the code ${user_code}`,
    };
  },
};

async function startDeviceFlow(ctx: EngineContext, request: SignInFlowRequest): Promise<PendingDeviceFlow> {
  const provider = await ctx.registry.resolve(request.provider);
  if (!provider.metadata.device_authorization_endpoint) {
    throw new OAuthToolError(
      'not_configured',
      `Provider "${provider.name}" has no device authorization endpoint (RFC 8628). Use flow "authorization_code".`,
    );
  }
  const scope = signInScope(provider, request.scopes);
  const resource = request.resource ?? provider.settings.resource;
  let response: client.DeviceAuthorizationResponse;
  try {
    response = await client.initiateDeviceAuthorization(
      provider.configuration,
      authorizationParameters(provider.settings, {
        ...(scope ? { scope } : {}),
        ...(resource ? { resource } : {}),
      }),
    );
  } catch (error) {
    throw toToolError(error, `starting a device sign-in at provider "${provider.name}"`);
  }
  learnSecret(response.device_code);
  const from = `The authorization server of provider "${provider.name}"`;
  userFacingUrl(response.verification_uri, 'a device-flow verification_uri', from);
  if (response.verification_uri_complete) {
    userFacingUrl(response.verification_uri_complete, 'a device-flow verification_uri_complete', from);
  }
  const data: DeviceFlowData = {
    scope,
    ...(resource ? { resource } : {}),
    ...initiatorFields(ctx, false),
    ...stepUpFields(request),
    device_code: response.device_code,
    user_code: response.user_code,
    verification_uri: response.verification_uri,
    ...(response.verification_uri_complete
      ? { verification_uri_complete: response.verification_uri_complete }
      : {}),
    ...(response.interval ? { interval: Math.min(response.interval, MAX_POLL_INTERVAL_SECONDS) } : {}),
  };
  const flow: PendingDeviceFlow = {
    ...newFlowHeader(provider, response.expires_in),
    kind: 'device_code',
    data,
  };
  await saveFlow(ctx.vault, flow);
  return flow;
}

/**
 * Polls until the user approves or denies, the device code expires, or `signal` aborts (the caller's
 * wait is over or the request was cancelled): then it returns undefined and the flow stays pending.
 */
async function pollDeviceFlow(
  ctx: EngineContext,
  flow: PendingDeviceFlow,
  signal: AbortSignal,
): Promise<FlowOutcome | undefined> {
  const provider = await resolveFlowProvider(ctx, flow);
  const msLeft = Date.parse(flow.expires_at) - Date.now();
  const polling = deadline(msLeft, signal);
  const deviceResponse: client.DeviceAuthorizationResponse = {
    device_code: flow.data.device_code,
    user_code: flow.data.user_code,
    verification_uri: flow.data.verification_uri,
    expires_in: Math.max(1, Math.ceil(msLeft / 1000)),
    ...(flow.data.interval ? { interval: flow.data.interval } : {}),
  };
  const dpopKey = provider.settings.dpop ? await newDPoPKey() : undefined;
  let outcome: FlowOutcome;
  try {
    const tokens = await untilAborted(
      client.pollDeviceAuthorizationGrant(
        provider.configuration,
        deviceResponse,
        tokenParameters(provider.settings, flow.data.resource ? { resource: flow.data.resource } : {}),
        { signal: polling.signal, ...(await dpopOption(provider.configuration, dpopKey)) },
      ),
      polling.signal,
    );
    const session = await storeSignedInSession(ctx, provider, flow, tokens, dpopKey);
    outcome = { status: 'authenticated', session_id: session.session_id };
  } catch (thrown) {
    if (polling.timedOut) return expiredOrFinishedElsewhere(ctx, flow);
    if (signal.aborted) return undefined;
    const oauthError = thrown instanceof client.ResponseBodyError ? thrown.error : undefined;
    if (oauthError === 'access_denied') outcome = { status: 'denied' };
    else if (oauthError === 'expired_token') return expiredOrFinishedElsewhere(ctx, flow);
    else if (oauthError === 'invalid_grant') {
      // Another instance may have redeemed this device code a moment ago.
      const current = await readFlow(ctx.vault, flow.flow_id);
      if (current?.data.outcome) return current.data.outcome;
      outcome = failedOutcome(
        toToolError(thrown, `finishing the device sign-in at provider "${flow.provider}"`),
      );
    } else {
      outcome = failedOutcome(
        toToolError(thrown, `finishing the device sign-in at provider "${flow.provider}"`),
      );
    }
  } finally {
    polling.release();
  }
  await recordOutcome(ctx.vault, flow, outcome);
  return outcome;
}

async function expiredOrFinishedElsewhere(
  ctx: EngineContext,
  flow: PendingDeviceFlow,
): Promise<FlowOutcome | undefined> {
  const current = await readFlow(ctx.vault, flow.flow_id);
  return current?.data.outcome ?? { status: 'expired' };
}

/** openid-client notices an abort only between its waits; the caller must not wait for that. */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
