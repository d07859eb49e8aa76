// Authorization code grant with PKCE S256 (RFC 6749 4.1, RFC 7636): builds the authorization request
// (PAR per RFC 9126 when required), and completes the redirect with openid-client's checks of state, iss, nonce.

import * as client from 'openid-client';
import { OAuthToolError } from '../../errors.js';
import { learnPastedSecret } from '../../secrets/index.js';
import type { EngineContext } from '../engine-context.js';
import { toToolError } from '../error-mapping.js';
import { authorizationParameters, signInScope, tokenParameters } from '../provider/parameters.js';
import {
  type CodeFlowData,
  failedOutcome,
  newFlowHeader,
  type PendingCodeFlow,
  readFlow,
  recordOutcome,
  saveFlow,
} from '../repository/flow-records.js';
import { dpopHandle, dpopOption, newDPoPKey } from '../tokens/dpop.js';
import { waitForOutcome } from './flow-waiter.js';
import {
  browserCookie,
  carriesBinding,
  initiatorFields,
  WRONG_BROWSER_PAGE,
  wrongBrowserError,
} from './initiator-binding.js';
import { loopbackRedirects, loopbackTarget } from './loopback-redirect.js';
import { type CallbackPage, renderCallbackPage } from './pages.js';
import { CODE_FLOW_TTL_SECONDS, resolveFlowProvider, storeSignedInSession } from './pending-flows.js';
import { type SignInFlow, type SignInFlowRequest, SignInLinkGone } from './sign-in-flow.js';
import { stepUpFields } from './step-up.js';
import { userFacingUrl } from './user-facing-url.js';

/** Servers that match redirect URIs exactly (against RFC 8252 7.3) show an error page of their own, and the flow just waits. */
const REDIRECT_ERROR_ADVICE = (redirectUri: string) =>
  `If the authorization server showed an error about the redirect URI instead of a sign-in page, it compares redirect URIs exactly (port included): register exactly ${redirectUri} there, or, where the port changes with every sign-in, set a fixed "redirectUri" on the provider (e.g. http://127.0.0.1:8765/callback), register that, and start a new sign-in.`;

/** Our `state` values come from `client.randomState()` (base64url); anything else is refused unread. */
const STATE_PATTERN = /^[A-Za-z0-9_-]{16,256}$/;

/** The browser sign-in: a link to the authorization server (HTTP mode: to our start page), and the redirect back. */
export const authorizationCode: SignInFlow<PendingCodeFlow> = {
  kind: 'authorization_code',
  start: startAuthorizationCode,
  async wait(ctx, flow, signal) {
    await reacquireRedirectListener(ctx, flow);
    return waitForOutcome(ctx.vault, flow, signal);
  },
  /** The state index, the start page and the loopback listener: the ways back into this flow. */
  async release(ctx, flow) {
    await ctx.vault.deleteFlowState(flow.data.state);
    if (flow.data.start_handle) await ctx.vault.deleteFlowStart(flow.data.start_handle);
    await releaseRedirect(ctx, flow.data.redirect_uri, flow.flow_id);
  },
  present(flow) {
    // HTTP mode hands out the start page, which binds the sign-in to the browser that continues.
    const link = flow.data.start_url ?? flow.data.authorization_url;
    return {
      fields: { authorization_url: link },
      ask: 'Waiting for the user to sign in. Ask them to open authorization_url in their browser and approve access',
      note: `If their browser is on another machine and ends on a page that cannot load (${flow.data.redirect_uri}...), ask them to paste that address and pass it as callback_url with this flow_id. ${REDIRECT_ERROR_ADVICE(flow.data.redirect_uri)}`,
      browserUrl: link,
      where: 'in the browser',
      // HTTP mode's start link lets whoever opens it first continue the sign-in: the log names the flow.
      logLine: flow.data.start_url
        ? `flow ${flow.flow_id} waits for its user to open their start link`
        : `open ${link}`,
    };
  },
};

async function startAuthorizationCode(
  ctx: EngineContext,
  request: SignInFlowRequest,
): Promise<PendingCodeFlow> {
  const provider = await ctx.registry.resolve(request.provider);
  if (!provider.metadata.authorization_endpoint) {
    throw new OAuthToolError(
      'not_configured',
      `Provider "${provider.name}" has no authorization endpoint, so a browser sign-in is not possible. Use flow "device_code" if the server supports it.`,
    );
  }
  const scope = signInScope(provider, request.scopes);
  const resource = request.resource ?? provider.settings.resource;
  const header = newFlowHeader(provider, CODE_FLOW_TTL_SECONDS);
  const redirectUri = await redirectUriFor(ctx, provider.settings.redirectUri, header);
  try {
    const codeVerifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const nonce = scope.split(' ').includes('openid') ? client.randomNonce() : undefined;
    const dpopKey = provider.settings.dpop ? await newDPoPKey() : undefined;
    const parameters: Record<string, string> = {
      redirect_uri: redirectUri,
      code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
      state,
      ...(scope ? { scope } : {}),
      ...(nonce ? { nonce } : {}),
      ...(resource ? { resource } : {}),
      ...(request.loginHint ? { login_hint: request.loginHint } : {}),
    };
    // The code is bound to the key: a code that leaks (a pasted redirect URL) is useless without it.
    if (dpopKey)
      parameters.dpop_jkt = await (await dpopHandle(provider.configuration, dpopKey)).calculateThumbprint();
    // Refresh tokens need consent on oidc-provider (and many others) when offline_access is asked for.
    const prompt =
      request.prompt ??
      provider.settings.authorizationParams?.prompt ??
      (scope.split(' ').includes('offline_access') ? 'consent' : undefined);
    if (prompt) parameters.prompt = prompt;
    const sent = authorizationParameters(provider.settings, parameters);
    const usePar =
      provider.settings.usePar || provider.metadata.require_pushed_authorization_requests === true;
    let authorizationUrl: URL;
    try {
      authorizationUrl = usePar
        ? await client.buildAuthorizationUrlWithPAR(provider.configuration, sent)
        : client.buildAuthorizationUrl(provider.configuration, sent);
    } catch (error) {
      throw toToolError(error, `starting a sign-in at provider "${provider.name}"`);
    }
    userFacingUrl(
      authorizationUrl.href,
      'an authorization endpoint',
      `The metadata of provider "${provider.name}"`,
    );
    const data: CodeFlowData = {
      scope,
      ...(resource ? { resource } : {}),
      redirect_uri: redirectUri,
      state,
      code_verifier: codeVerifier,
      ...(nonce ? { nonce } : {}),
      authorization_url: authorizationUrl.href,
      ...(dpopKey ? { dpop_key: dpopKey } : {}),
      ...initiatorFields(ctx, true),
      ...stepUpFields(request),
    };
    const flow: PendingCodeFlow = { ...header, kind: 'authorization_code', data };
    await saveFlow(ctx.vault, flow);
    await ctx.vault.putFlowState(state, flow.flow_id, flow.expires_at);
    if (data.start_handle) await ctx.vault.putFlowStart(data.start_handle, flow.flow_id, flow.expires_at);
    return flow;
  } catch (error) {
    await releaseRedirect(ctx, redirectUri, header.flow_id);
    throw error;
  }
}

/**
 * Handles the redirect back from the authorization server (the loopback listener, or HTTP mode's
 * `/oauth/callback`): finds the flow by `state` alone, redeems the code once, and returns the page
 * the user's browser shows. Anything that does not belong to a pending flow is refused; an HTTP-mode
 * flow's callback in a browser that did not continue on its start page (`cookieHeader`) spends its code
 * and fails the flow (initiator-binding.ts).
 */
export async function completeAuthorizationCallback(
  ctx: EngineContext,
  callbackUrl: URL,
  cookieHeader?: string,
): Promise<CallbackPage> {
  // Whoever brings a callback chooses its code: a secret for them (and the logs), not for other users.
  learnPastedSecret(callbackUrl.searchParams.get('code'));
  const state = callbackUrl.searchParams.get('state');
  const found = state && STATE_PATTERN.test(state) ? await ctx.vault.findFlowByState(state) : undefined;
  if (!state || !found) {
    ctx.logger.info('refused a sign-in callback that matches no pending sign-in', {
      has_state: Boolean(state),
    });
    return renderCallbackPage(
      'error',
      'This response does not belong to a sign-in in progress (unknown or already used state). Nothing was signed in.',
    );
  }
  // The starting user's registered clients too: the callback has no bearer token to find them by.
  const flowCtx: EngineContext = {
    ...ctx,
    vault: found.vault,
    registry: ctx.registry.withProfiles(found.vault),
  };
  const unlock = await found.vault.lock(`flow:${found.flowId}`);
  try {
    const flow = await readFlow(found.vault, found.flowId);
    if (flow?.kind !== 'authorization_code' || flow.data.state !== state || flow.data.outcome) {
      return renderCallbackPage(
        'error',
        'This sign-in was already completed or has expired; its response cannot be used again. Nothing new was signed in.',
      );
    }
    // The flow's ways back in are spent now: its code is redeemed once here, or by no one.
    await authorizationCode.release(flowCtx, flow);
    if (flow.data.start_handle && !carriesBinding(cookieHeader, flow.flow_id, flow.data.browser_binding)) {
      ctx.logger.info(
        'refused a sign-in callback from a browser that did not continue on its start page; the sign-in is cancelled',
        { flow_id: flow.flow_id },
      );
      await recordOutcome(found.vault, flow, failedOutcome(wrongBrowserError()));
      return renderCallbackPage('error', WRONG_BROWSER_PAGE);
    }
    const page = await redeem(flowCtx, flow, callbackUrl);
    if (flow.data.start_handle && ctx.callbackUrl) {
      page.headers['set-cookie'] = browserCookie(ctx.callbackUrl, flow.flow_id, '', 0);
    }
    return page;
  } finally {
    await unlock();
  }
}

async function redeem(ctx: EngineContext, flow: PendingCodeFlow, callbackUrl: URL): Promise<CallbackPage> {
  const action = `completing the sign-in at provider "${flow.provider}"`;
  // The redirect URI we registered, with the response's parameters: exact even behind a reverse proxy.
  const response = new URL(flow.data.redirect_uri);
  response.search = callbackUrl.search;
  try {
    const provider = await resolveFlowProvider(ctx, flow);
    const dpopKey = flow.data.dpop_key;
    const tokens = await client.authorizationCodeGrant(
      provider.configuration,
      response,
      {
        pkceCodeVerifier: flow.data.code_verifier,
        expectedState: flow.data.state,
        ...(flow.data.nonce ? { expectedNonce: flow.data.nonce, idTokenExpected: true } : {}),
      },
      tokenParameters(provider.settings, flow.data.resource ? { resource: flow.data.resource } : {}),
      await dpopOption(provider.configuration, dpopKey),
    );
    const session = await storeSignedInSession(ctx, provider, flow, tokens, dpopKey);
    await recordOutcome(ctx.vault, flow, { status: 'authenticated', session_id: session.session_id });
    ctx.logger.info(`signed in at provider "${flow.provider}"`, { session_id: session.session_id });
    return renderCallbackPage('success', '', flow.provider);
  } catch (thrown) {
    if (thrown instanceof client.AuthorizationResponseError && thrown.error === 'access_denied') {
      const description = thrown.error_description;
      await recordOutcome(ctx.vault, flow, { status: 'denied', ...(description ? { description } : {}) });
      return renderCallbackPage('denied', description ?? '');
    }
    const error = toToolError(thrown, {
      action,
      operation: 'callback',
      provider: flow.provider,
      expectedState: flow.data.state,
    });
    ctx.logger.info(`sign-in at provider "${flow.provider}" failed: ${error.code}`, {
      message: error.message,
      ...(error.detail ? { detail: error.detail } : {}),
    });
    await recordOutcome(ctx.vault, flow, failedOutcome(error));
    return renderCallbackPage('error', error.message);
  }
}

/** HTTP mode: the provider's fixed redirectUri or `<public-url>/oauth/callback`; stdio mode: a loopback listener. */
async function redirectUriFor(
  ctx: EngineContext,
  fixed: string | undefined,
  flow: { flow_id: string; expires_at: string },
): Promise<string> {
  if (ctx.callbackUrl) return fixed ?? ctx.callbackUrl;
  const { port, path } = loopbackTarget(fixed);
  return loopbackRedirects.acquire({
    port,
    path,
    flowId: flow.flow_id,
    expiresAt: flow.expires_at,
    handler: (url) => completeAuthorizationCallback(ctx, url),
    logger: ctx.logger,
  });
}

/**
 * A flow continued after a restart needs its listener again, on the same port (its redirect URI). When that
 * port cannot be had, the link handed out can no longer reach us.
 */
async function reacquireRedirectListener(ctx: EngineContext, flow: PendingCodeFlow): Promise<void> {
  if (ctx.callbackUrl) return;
  const registered = new URL(flow.data.redirect_uri);
  let redirectUri: string;
  try {
    redirectUri = await loopbackRedirects.acquire({
      port: Number(registered.port),
      path: registered.pathname,
      flowId: flow.flow_id,
      expiresAt: flow.expires_at,
      handler: (url) => completeAuthorizationCallback(ctx, url),
      logger: ctx.logger,
    });
  } catch (error) {
    if (!(error instanceof OAuthToolError) || error.code !== 'not_configured') throw error;
    throw new SignInLinkGone(`its redirect listener is gone (${error.message})`);
  }
  if (redirectUri !== flow.data.redirect_uri) {
    throw new OAuthToolError(
      'internal',
      'The sign-in redirect listener moved to another port. Start a new sign-in.',
    );
  }
}

async function releaseRedirect(ctx: EngineContext, redirectUri: string, flowId: string): Promise<void> {
  if (!ctx.callbackUrl) await loopbackRedirects.release(redirectUri, flowId);
}
