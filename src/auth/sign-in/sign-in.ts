// Signing a user in: start a code or device flow, wait for the user (progress, cancellation), continue a
// pending flow by id, and report authenticated / pending / denied / expired. No MCP in here.

import { OAuthToolError } from '../../errors.js';
import type { Logger } from '../../log.js';
import { deadline } from '../deadline.js';
import type { EngineContext } from '../engine-context.js';
import {
  errorOf,
  type FlowOutcome,
  failedOutcome,
  type PendingSignIn,
  readFlow,
} from '../repository/flow-records.js';
import { staleError, staleReason } from '../sessions/issuer-binding.js';
import { viewSession } from '../sessions/sessions.js';
import { whyNoRefreshToken } from '../tokens/refresh-token-note.js';
import { authorizationCode } from './authorization-code.js';
import { openBrowser } from './browser.js';
import { deviceAuthorization } from './device-authorization.js';
import { assertPendingQuota, STALE_FLOW_ADVICE } from './pending-flows.js';
import { pendingResult, type SignInKind, type SignInResult } from './result.js';
import { type SignInFlow, type SignInFlowRequest, SignInLinkGone } from './sign-in-flow.js';
import { withSessionScopes } from './step-up.js';

/** Hosts that reset their request timeout on progress need a notification well inside 60 s. */
export const PROGRESS_EVERY_MS = 5000;

export type { SignInKind, SignInResult, SignInStatus } from './result.js';
export { linkReachesUser } from './result.js';

/** The flow object of each kind: the one place sign-in.ts tells the kinds apart. */
const FLOWS: { [Kind in SignInKind]: SignInFlow<Extract<PendingSignIn, { kind: Kind }>> } = {
  authorization_code: authorizationCode,
  device_code: deviceAuthorization,
};

function flowOf(kind: SignInKind): SignInFlow<PendingSignIn> {
  // The table pairs each kind with its own flow object, so a record of that kind fits its methods.
  return FLOWS[kind] as unknown as SignInFlow<PendingSignIn>;
}

/** A user sign-in: provider, scopes and flow (authorization code or device); sessionId asks for a step-up. */
export interface SignInRequest extends SignInFlowRequest {
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
  const signInFlow = flowOf(kind);
  const flow = await signInFlow.start(ctx, request);
  const presentation = signInFlow.present(flow);
  const url = presentation.browserUrl;
  const opened = options.openBrowser && ctx.openBrowser && url !== undefined && openBrowser(url, ctx.logger);
  // Hosts keep server logs: the link (never a code or token) also goes to stderr, where a person can find it.
  ctx.logger.info(`sign-in to ${flow.provider}: ${presentation.logLine}`);
  return { ...pendingResult(flow, presentation), browser_opened: opened };
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
  const signInFlow = flowOf(flow.kind);
  const presentation = signInFlow.present(flow);
  if (waitSeconds <= 0 || hooks.signal.aborted) return pendingResult(flow, presentation);

  const waiting = deadline(waitSeconds * 1000, hooks.signal);
  const stopProgress = reportProgress(presentation.where, waitSeconds, hooks, ctx.logger);
  let outcome: FlowOutcome | undefined;
  try {
    outcome = await signInFlow.wait(ctx, flow, waiting.signal);
  } catch (error) {
    if (!(error instanceof SignInLinkGone)) throw error;
    return replaceSignIn(ctx, flow, error);
  } finally {
    waiting.release();
    stopProgress();
  }
  return outcome ? deliver(ctx, flow, outcome) : pendingResult(flow, presentation);
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
 * A flow continued by another process (the host restarted the server) whose link can no longer reach us
 * (its loopback port is taken): a new sign-in of the same kind, with the same request, replaces it.
 */
async function replaceSignIn(
  ctx: EngineContext,
  flow: PendingSignIn,
  gone: SignInLinkGone,
): Promise<SignInResult> {
  await deliver(ctx, flow, { status: 'expired' });
  const fresh = await startSignIn(
    ctx,
    {
      provider: flow.provider,
      flow: flow.kind,
      scopes: flow.data.scope ? flow.data.scope.split(' ') : undefined,
      resource: flow.data.resource,
    },
    { openBrowser: ctx.openBrowser },
  );
  return {
    ...fresh,
    message: `The link of sign-in ${flow.flow_id} no longer works: ${gone.message}. This is a new sign-in instead. ${fresh.message}`,
  };
}

/** A finished flow is consumed: its record goes away, and so does what its flow holds (index entries, a listener). */
async function deliver(ctx: EngineContext, flow: PendingSignIn, outcome: FlowOutcome): Promise<SignInResult> {
  await ctx.vault.deleteFlow(flow.flow_id);
  await flowOf(flow.kind).release(ctx, flow);
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

function reportProgress(where: string, waitSeconds: number, hooks: WaitHooks, logger: Logger): () => void {
  if (!hooks.progress) return () => undefined;
  const started = Date.now();
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
