// Finishing a code flow from the redirect URL the user pasted (sign-in on another machine, where the
// browser could not reach our redirect URI): it must be this flow's redirect URI and state; the code
// is then redeemed exactly as a real redirect is, with openid-client's state, iss and PKCE checks.

import { OAuthToolError } from '../../errors.js';
import type { EngineContext } from '../engine-context.js';
import { readFlow } from '../repository/flow-records.js';
import { completeAuthorizationCallback } from './authorization-code.js';

/** Returns the flow id, whose outcome the caller then reports. */
export async function completePastedCallback(
  ctx: EngineContext,
  flowId: string | undefined,
  pasted: string,
): Promise<string> {
  if (!flowId) {
    throw new OAuthToolError(
      'invalid_input',
      'callback_url needs the flow_id of the sign-in it finishes: pass both.',
    );
  }
  if (ctx.callbackUrl) {
    // HTTP mode binds a sign-in to the browser that started it; a pasted URL would skip that check.
    throw new OAuthToolError(
      'invalid_input',
      `callback_url is not accepted by a server in HTTP mode: the sign-in finishes when the browser that opened authorization_url reaches ${ctx.callbackUrl}. Call again with flow_id only to wait for it.`,
    );
  }
  const flow = await readFlow(ctx.vault, flowId);
  if (!flow) {
    throw new OAuthToolError(
      'invalid_input',
      `No pending sign-in "${flowId}": it already finished, expired, or never existed.`,
      { next: { action: 'sign_in' } },
    );
  }
  if (flow.kind !== 'authorization_code') {
    throw new OAuthToolError(
      'invalid_input',
      'callback_url finishes a browser (authorization_code) sign-in; a device sign-in finishes by itself: call again with flow_id only.',
    );
  }
  if (flow.data.outcome) return flowId;
  let url: URL;
  try {
    url = new URL(pasted.trim());
  } catch {
    throw new OAuthToolError(
      'invalid_input',
      "callback_url is not a URL: paste the whole address from the browser's address bar after approving.",
    );
  }
  const expected = new URL(flow.data.redirect_uri);
  if (
    `${url.origin}${url.pathname}` !== `${expected.origin}${expected.pathname}` ||
    url.username ||
    url.password
  ) {
    throw new OAuthToolError(
      'invalid_input',
      `callback_url must be this sign-in's redirect URI ${flow.data.redirect_uri} with the parameters the authorization server added: paste the address the browser ended on after approving.`,
    );
  }
  // The flow is found by state in the store: a URL of another pending flow must not finish that one here.
  if (url.searchParams.get('state') !== flow.data.state) {
    throw new OAuthToolError(
      'invalid_input',
      `callback_url belongs to another sign-in (its state differs from flow "${flowId}"). Paste the address from the sign-in started with this flow_id.`,
    );
  }
  await completeAuthorizationCallback(ctx, url);
  return flowId;
}
