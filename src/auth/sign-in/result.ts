// What a sign-in reports (pending with the link or code, or how it ended), and whether the user can see the link.

import type { NextStep } from '../../errors.js';
import type { PendingSignIn } from '../repository/flow-records.js';
import type { SessionView } from '../views.js';
import type { FlowPresentation } from './sign-in-flow.js';

export type SignInKind = PendingSignIn['kind'];
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
  /** While pending: continue this flow to wait for the user (tools and commands say how). */
  next?: NextStep;
}

/**
 * Whether waiting for the user makes sense: only when they can see the link, because a browser showed it
 * here or the client shows it (URL elicitation). Otherwise the link or code must go back in a result now.
 */
export function linkReachesUser(started: SignInResult, shownByClient: boolean): boolean {
  return shownByClient || started.browser_opened === true;
}

/** A pending flow as its result: the link or code from its flow's presentation, and what to do next. */
export function pendingResult(flow: PendingSignIn, presentation: FlowPresentation): SignInResult {
  const again = `then continue this sign-in to wait for it to finish (before ${flow.expires_at}).`;
  return {
    status: 'pending',
    flow: flow.kind,
    flow_id: flow.flow_id,
    provider: flow.provider,
    expires_at: flow.expires_at,
    ...presentation.fields,
    message: `${presentation.ask}; ${again}${presentation.note ? ` ${presentation.note}` : ''}`,
    next: { action: 'continue_sign_in', flow_id: flow.flow_id },
  };
}
