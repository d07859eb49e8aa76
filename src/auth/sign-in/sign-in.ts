// Signing a user in: start a code or device flow, wait for the user (progress, cancellation), continue a
// pending flow by id, and report authenticated / pending / denied / expired. No MCP in here.

import { OAuthToolError } from '../../errors.js';
import type { Logger } from '../../log.js';
import { deadline } from '../deadline.js';
import type { EngineContext } from '../engine-context.js';
import { staleError, staleReason } from '../sessions/issuer-binding.js';
import { viewSession } from '../sessions/sessions.js';
import { whyNoRefreshToken } from '../tokens/refresh-token-note.js';
import {
  type AuthorizationCodeRequest,
  ensureRedirectListener,
  releaseRedirect,
  startAuthorizationCode,
} from './authorization-code.js';
import { openBrowser } from './browser.js';
import { pollDeviceFlow, startDeviceFlow } from './device-authorization.js';
import {
  assertPendingQuota,
  errorOf,
  type FlowOutcome,
  failedOutcome,
  flowEvents,
  readFlow,
  type SignInFlow,
  STALE_FLOW_ADVICE,
} from './pending-flows.js';
import { logLink, pendingResult, type SignInKind, type SignInResult } from './result.js';
import { withSessionScopes } from './step-up.js';

/** Hosts that reset their request timeout on progress need a notification well inside 60 s. */
export const PROGRESS_EVERY_MS = 5000;
/** Other instances finish flows too (HTTP mode, shared store): re-read the flow at least this often. */
const RECHECK_EVERY_MS = 1000;

export type { SignInKind, SignInResult, SignInStatus } from './result.js';
export { linkReachesUser, pendingResult } from './result.js';

/** A user sign-in: provider, scopes and flow (authorization code or device); sessionId asks for a step-up. */
export interface SignInRequest extends AuthorizationCodeRequest {
  flow?: SignInKind | undefined;
  /** Step-up: sign in again for this session, asking for its scopes plus `scopes`. */
  sessionId?: string | undefined;
}

export interface WaitHooks {
  /** Aborted when the caller cancels: waiting stops and the flow stays pending. */
  signal: AbortSignal;
  progress?: (elapsedSeconds: number, totalSeconds: number, message: string) => Promise<void>;
}

/**
 * Starts a flow and, for a code flow where allowed, opens the browser at the authorization URL.
 *
 * @example
 * const started = await startSignIn(engine.ctx, { provider: 'work', flow: 'device_code' }, { openBrowser: false });
 * console.log(started.verification_uri_complete, started.user_code);
 * @see https://www.rfc-editor.org/rfc/rfc7636 (PKCE) and https://www.rfc-editor.org/rfc/rfc8628 (device flow)
 */
export async function startSignIn(
  ctx: EngineContext,
  request: SignInRequest,
  options: { openBrowser: boolean },
): Promise<SignInResult> {
  await assertPendingQuota(ctx);
  request = await withSessionScopes(ctx, request);
  const kind = request.flow ?? (await defaultKind(ctx, request.provider));
  const flow =
    kind === 'device_code' ? await startDeviceFlow(ctx, request) : await startAuthorizationCode(ctx, request);
  const url = browserUrl(flow);
  const opened = options.openBrowser && ctx.openBrowser && url !== undefined && openBrowser(url, ctx.logger);
  logLink(ctx.logger, flow);
  return { ...pendingResult(flow), browser_opened: opened };
}

/**
 * Waits up to `waitSeconds` for the flow `flowId` to finish; 0 only reports where it stands.
 *
 * @example
 * const result = await continueSignIn(engine.ctx, started.flow_id, 45, { signal: AbortSignal.timeout(50_000) });
 * if (result.status === 'authenticated') console.log(result.session?.session_id);
 * @see https://www.rfc-editor.org/rfc/rfc8628#section-3.4 (polling for the device flow's token)
 */
export async function continueSignIn(
  ctx: EngineContext,
  flowId: string,
  waitSeconds: number,
  hooks: WaitHooks,
): Promise<SignInResult> {
  const flow = await readFlow(ctx.vault, flowId);
  if (!flow) {
    throw new OAuthToolError(
      'invalid_input',
      `No pending sign-in "${flowId}": it already finished, expired, or never existed (the sessions show who is signed in).`,
      { next: { action: 'sign_in' } },
    );
  }
  if (flow.data.outcome) return deliver(ctx, flow, flow.data.outcome);
  if (Date.now() >= Date.parse(flow.expires_at)) return deliver(ctx, flow, { status: 'expired' });
  const stale = await staleReason(ctx.registry, flow);
  if (stale) {
    const error = staleError(`The pending sign-in "${flow.flow_id}"`, stale, STALE_FLOW_ADVICE);
    return deliver(ctx, flow, failedOutcome(error));
  }
  if (waitSeconds <= 0 || hooks.signal.aborted) return pendingResult(flow);
  if (flow.kind === 'authorization_code') {
    const replacement = await rebindOrReplace(ctx, flow);
    if (replacement) return replacement;
  }

  const waiting = deadline(waitSeconds * 1000, hooks.signal);
  const stopProgress = reportProgress(flow, waitSeconds, hooks, ctx.logger);
  let outcome: FlowOutcome | undefined;
  try {
    outcome =
      flow.kind === 'device_code'
        ? await pollDeviceFlow(ctx, flow, waiting.signal)
        : await waitForCallback(ctx, flow, waiting.signal);
  } finally {
    waiting.release();
    stopProgress();
  }
  return outcome ? deliver(ctx, flow, outcome) : pendingResult(flow);
}

/**
 * The user declined to open the sign-in URL (URL elicitation): the flow ends as denied.
 *
 * @example
 * await abandonSignIn(engine.ctx, started.flow_id);
 * @see https://modelcontextprotocol.io/specification/2025-11-25/client/elicitation (URL mode)
 */
export async function abandonSignIn(ctx: EngineContext, flowId: string): Promise<SignInResult> {
  const flow = await readFlow(ctx.vault, flowId);
  if (!flow) return continueSignIn(ctx, flowId, 0, { signal: AbortSignal.abort() });
  return deliver(
    ctx,
    flow,
    flow.data.outcome ?? { status: 'denied', description: 'declined to open the sign-in page' },
  );
}

function browserUrl(flow: SignInFlow): string | undefined {
  return flow.kind === 'authorization_code'
    ? (flow.data.start_url ?? flow.data.authorization_url)
    : undefined;
}

/**
 * The code flow, except where a browser would open here but no desktop can show it (stdio server on
 * SSH, in a container) and the server has a device endpoint: then the device flow, usable from any device.
 */
async function defaultKind(ctx: EngineContext, providerName: string | undefined): Promise<SignInKind> {
  const { metadata } = await ctx.registry.resolve(providerName);
  const headless = ctx.openBrowser && ctx.headless === true && !ctx.callbackUrl;
  if (metadata.device_authorization_endpoint && (headless || !metadata.authorization_endpoint))
    return 'device_code';
  return 'authorization_code';
}

/**
 * A code flow continued by another process (the host restarted the server) needs its loopback port again.
 * When that port cannot be had, the old link can no longer reach us: a new sign-in replaces it.
 */
async function rebindOrReplace(
  ctx: EngineContext,
  flow: Extract<SignInFlow, { kind: 'authorization_code' }>,
): Promise<SignInResult | undefined> {
  try {
    await ensureRedirectListener(ctx, flow);
    return undefined;
  } catch (error) {
    if (!(error instanceof OAuthToolError) || error.code !== 'not_configured') throw error;
    await deliver(ctx, flow, { status: 'expired' });
    const fresh = await startSignIn(
      ctx,
      {
        provider: flow.provider,
        flow: 'authorization_code',
        scopes: flow.data.scope ? flow.data.scope.split(' ') : undefined,
        resource: flow.data.resource,
      },
      { openBrowser: ctx.openBrowser },
    );
    return {
      ...fresh,
      message: `The link of sign-in ${flow.flow_id} no longer works: its redirect listener is gone (${error.message}). This is a new sign-in instead. ${fresh.message}`,
    };
  }
}

/** Waits for the redirect (this process's listener, or another instance's /oauth/callback). */
async function waitForCallback(
  ctx: EngineContext,
  flow: Extract<SignInFlow, { kind: 'authorization_code' }>,
  signal: AbortSignal,
): Promise<FlowOutcome | undefined> {
  await ensureRedirectListener(ctx, flow);
  const deadline = Date.parse(flow.expires_at);
  while (!signal.aborted) {
    const current = await readFlow(ctx.vault, flow.flow_id);
    if (!current) return { status: 'expired' };
    if (current.data.outcome) return current.data.outcome;
    if (Date.now() >= deadline) return { status: 'expired' };
    await changeOrTimeout(flow.flow_id, Math.min(RECHECK_EVERY_MS, deadline - Date.now()), signal);
  }
  return undefined;
}

function changeOrTimeout(flowId: string, ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      flowEvents.off(flowId, done);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, Math.max(0, ms));
    flowEvents.on(flowId, done);
    signal.addEventListener('abort', done, { once: true });
  });
}

/** A finished flow is consumed: its record, state index entry and loopback listener go away. */
async function deliver(ctx: EngineContext, flow: SignInFlow, outcome: FlowOutcome): Promise<SignInResult> {
  await ctx.vault.deleteFlow(flow.flow_id);
  if (flow.kind === 'authorization_code') {
    await ctx.vault.deleteFlowState(flow.data.state);
    if (flow.data.start_handle) await ctx.vault.deleteFlowStart(flow.data.start_handle);
    await releaseRedirect(ctx, flow.data.redirect_uri, flow.flow_id);
  }
  const base = { flow: flow.kind, flow_id: flow.flow_id, provider: flow.provider };
  switch (outcome.status) {
    case 'authenticated': {
      const session = await ctx.vault.getSession(outcome.session_id);
      if (!session) {
        throw new OAuthToolError(
          'not_authenticated',
          'The sign-in finished but its session is gone from the store (revoked meanwhile?). Sign in again.',
        );
      }
      // The note only explains; metadata that cannot be read now must not fail a finished sign-in.
      const metadata = session.refresh_token
        ? undefined
        : await ctx.registry
            .settings(session.provider)
            .then(({ settings }) => ctx.registry.serverMetadata(settings))
            .then(
              (found) => found.metadata,
              () => undefined,
            );
      const note =
        metadata &&
        whyNoRefreshToken(metadata, {
          requested: session.requested_scope ?? flow.data.scope,
          granted: session.scope,
        });
      return {
        ...base,
        status: 'authenticated',
        session: viewSession(ctx, session),
        ...(note ? { refresh_token_note: note } : {}),
        message: `Signed in${session.subject ? ` as "${session.subject}"` : ''} at provider "${flow.provider}". Use session_id "${session.session_id}" with the other tools.`,
      };
    }
    case 'denied':
      return {
        ...base,
        status: 'denied',
        message: `The sign-in was denied${outcome.description ? ` (${outcome.description})` : ''}; no access was granted. Start a new sign-in if the user wants to try again.`,
      };
    case 'expired':
      return {
        ...base,
        status: 'expired',
        message: 'The sign-in expired before the user finished it. Start a new sign-in (without flow_id).',
      };
    case 'failed':
      throw errorOf(outcome);
  }
}

function reportProgress(flow: SignInFlow, waitSeconds: number, hooks: WaitHooks, logger: Logger): () => void {
  if (!hooks.progress) return () => undefined;
  const started = Date.now();
  const where =
    flow.kind === 'authorization_code'
      ? 'in the browser'
      : `at ${flow.data.verification_uri} (code ${flow.data.user_code})`;
  const tick = () => {
    const elapsed = Math.min(waitSeconds, Math.round((Date.now() - started) / 1000));
    hooks
      .progress?.(elapsed, waitSeconds, `Waiting for the user to sign in ${where}`)
      .catch((error: unknown) => logger.debug(`progress notification failed: ${(error as Error).message}`));
  };
  tick();
  const timer = setInterval(tick, PROGRESS_EVERY_MS);
  return () => clearInterval(timer);
}
