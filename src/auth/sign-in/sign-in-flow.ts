// The one shape of a sign-in flow (as oidc-provider gives each grant one): the code flow and the device flow
// each export an object with it, and sign-in.ts dispatches on the flow's kind once, through a table of them.

import type { EngineContext } from '../engine-context.js';
import type { FlowOutcome, PendingSignIn } from '../repository/flow-records.js';

/** What the user asked for: provider, scopes, resource, hints for the server, and a step-up's session. */
export interface SignInFlowRequest {
  provider?: string | undefined;
  scopes?: string[] | undefined;
  resource?: string | undefined;
  loginHint?: string | undefined;
  prompt?: string | undefined;
  /** Step-up: the session whose account must complete this sign-in, and whose tokens it replaces. */
  stepUpSessionId?: string | undefined;
}

/** How a pending flow reaches its user: what the result shows, what to ask of them, where they act. */
export interface FlowPresentation {
  /** The result's link fields: `authorization_url`, or `verification_uri(_complete)` and `user_code`. */
  fields: {
    authorization_url?: string;
    verification_uri?: string;
    verification_uri_complete?: string;
    user_code?: string;
  };
  /** What to ask the user to do, the opening of the pending result's message. */
  ask: string;
  /** Said after the instruction to call again, when there is more to know. */
  note?: string;
  /** The page a browser on this machine may open for the user, if any. */
  browserUrl?: string;
  /** Where the user acts, for progress notifications ("in the browser"). */
  where: string;
  /** The log line telling a person where to go (never a code or token). */
  logLine: string;
}

export interface SignInFlow<Flow extends PendingSignIn> {
  readonly kind: Flow['kind'];
  /** Starts a sign-in at the provider and saves its pending record. */
  start(ctx: EngineContext, request: SignInFlowRequest): Promise<Flow>;
  /**
   * Waits until the flow has an outcome (recorded by now) or `signal` aborts (undefined: still pending).
   * Throws SignInLinkGone when the link handed out can no longer reach us.
   */
  wait(ctx: EngineContext, flow: Flow, signal: AbortSignal): Promise<FlowOutcome | undefined>;
  /** Frees what the flow holds beside its record (index entries, a listener); the caller deletes the record. */
  release(ctx: EngineContext, flow: Flow): Promise<void>;
  present(flow: Flow): FlowPresentation;
}

/** The link of a pending sign-in cannot reach us any more (its loopback port is taken): start a new one. */
export class SignInLinkGone extends Error {}
