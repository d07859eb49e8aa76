// What a sign-in reports (pending with the link or code, or how it ended), and whether the user can see the link.

import type { Logger } from '../../log.js';
import type { SessionView } from '../views.js';
import type { SignInFlow } from './pending-flows.js';

export type SignInKind = SignInFlow['kind'];
/** Where a sign-in stands: done, waiting for the user, refused, or timed out. */
export type SignInStatus = 'authenticated' | 'pending' | 'denied' | 'expired';

/** A sign-in's state: the link or user code to show while pending, the session once authenticated. */
export interface SignInResult {
  status: SignInStatus;
  flow: SignInKind;
  flow_id: string;
  provider: string;
  /** What to tell the user or do next, in plain words. */
  message: string;
  authorization_url?: string;
  verification_uri?: string;
  verification_uri_complete?: string;
  user_code?: string;
  expires_at?: string;
  browser_opened?: boolean;
  session?: SessionView;
  /** Why the sign-in brought no refresh token (absent when it did). */
  refresh_token_note?: string;
}

/**
 * Whether waiting for the user makes sense: only when they can see the link, because a browser showed it
 * here or the client shows it (URL elicitation). Otherwise the link or code must go back in a result now.
 */
export function linkReachesUser(started: SignInResult, shownByClient: boolean): boolean {
  return shownByClient || started.browser_opened === true;
}

export function pendingResult(flow: SignInFlow): SignInResult {
  const base = {
    status: 'pending' as const,
    flow: flow.kind,
    flow_id: flow.flow_id,
    provider: flow.provider,
    expires_at: flow.expires_at,
  };
  const again = `then call oauth_authenticate_user again with flow_id "${flow.flow_id}" to wait for it to finish (before ${flow.expires_at}).`;
  if (flow.kind === 'authorization_code') {
    return {
      ...base,
      // HTTP mode hands out the start page, which binds the sign-in to the browser that continues.
      authorization_url: flow.data.start_url ?? flow.data.authorization_url,
      message: `Waiting for the user to sign in. Ask them to open authorization_url in their browser and approve access; ${again} If their browser is on another machine and ends on a page that cannot load (${flow.data.redirect_uri}...), ask them to paste that address and pass it as callback_url with this flow_id.`,
    };
  }
  return {
    ...base,
    verification_uri: flow.data.verification_uri,
    ...(flow.data.verification_uri_complete
      ? { verification_uri_complete: flow.data.verification_uri_complete }
      : {}),
    user_code: flow.data.user_code,
    message: `Waiting for the user to approve on another device. Ask them to open ${flow.data.verification_uri_complete ?? flow.data.verification_uri} and confirm the code ${flow.data.user_code}; ${again}`,
  };
}

/**
 * Hosts keep server logs: the link (never a code or token) also goes to stderr, where a person can find it.
 * Not HTTP mode's start link: its handle lets whoever opens it first continue the sign-in, so the log
 * names the flow instead.
 */
export function logLink(logger: Logger, flow: SignInFlow): void {
  if (flow.kind === 'authorization_code' && flow.data.start_url) {
    logger.info(
      `sign-in to ${flow.provider}: flow ${flow.flow_id} waits for its user to open their start link`,
    );
    return;
  }
  logger.info(
    flow.kind === 'authorization_code'
      ? `sign-in to ${flow.provider}: open ${flow.data.authorization_url}`
      : `sign-in to ${flow.provider}: open ${flow.data.verification_uri} and enter the code ${flow.data.user_code}`,
  );
}
