// HTTP mode's `/oauth/start/<handle>`: shows who asked for a sign-in and where, and on "Continue" binds the
// flow to this browser (initiator-binding.ts) and sends it on to the authorization server.

import type { EngineContext } from '../engine-context.js';
import { readFlow, saveFlow } from '../repository/flow-records.js';
import {
  bindingOf,
  browserCookie,
  carriesBinding,
  newBrowserSecret,
  START_HANDLE_PATTERN,
} from './initiator-binding.js';
import { type CallbackPage, renderCallbackPage, renderStartPage } from './pages.js';

interface StartPageRequest {
  method: 'GET' | 'POST';
  handle: string;
  cookie: string | undefined;
  /** The POSTed form (`confirm`). */
  form?: URLSearchParams | undefined;
}

export async function handleStartPage(ctx: EngineContext, request: StartPageRequest): Promise<CallbackPage> {
  const found = START_HANDLE_PATTERN.test(request.handle)
    ? await ctx.vault.findFlowByStart(request.handle)
    : undefined;
  if (!found || !ctx.callbackUrl) {
    return renderCallbackPage(
      'error',
      'This sign-in link is unknown or has expired. Ask your assistant to start a new sign-in.',
    );
  }
  const unlock = await found.vault.lock(`flow:${found.flowId}`);
  try {
    const flow = await readFlow(found.vault, found.flowId);
    const secondsLeft = flow ? (Date.parse(flow.expires_at) - Date.now()) / 1000 : 0;
    if (
      flow?.kind !== 'authorization_code' ||
      flow.data.start_handle !== request.handle ||
      !flow.data.start_url ||
      flow.data.outcome ||
      secondsLeft <= 0
    ) {
      return renderCallbackPage(
        'error',
        'This sign-in was already completed or has expired. Ask your assistant to start a new sign-in.',
      );
    }
    // First browser wins: a link opened again elsewhere cannot take over a sign-in already under way.
    if (flow.data.browser_binding) {
      return renderCallbackPage(
        'error',
        'This sign-in link was already continued in a browser, and it works only once. Ask your assistant to start a new sign-in.',
      );
    }
    if (request.method === 'GET') {
      const secret = newBrowserSecret();
      const registry = ctx.registry.withProfiles(found.vault);
      const issuer = await registry.settings(flow.provider).then(
        ({ settings }) => settings.issuer,
        () => undefined,
      );
      const page = renderStartPage({
        requester: flow.data.initiator,
        provider: flow.provider,
        issuer,
        formAction: flow.data.start_url,
        confirm: secret,
        authorizationOrigin: new URL(flow.data.authorization_url).origin,
      });
      page.headers['set-cookie'] = browserCookie(ctx.callbackUrl, flow.flow_id, secret, secondsLeft);
      return page;
    }
    // Double submit: the form's value must be this browser's cookie, which a cross-site POST does not carry.
    const confirm = request.form?.get('confirm') ?? '';
    if (!confirm || !carriesBinding(request.cookie, flow.flow_id, bindingOf(confirm))) {
      ctx.logger.info('refused a sign-in start that did not come from the page this browser was shown');
      return renderCallbackPage(
        'error',
        'This browser did not come from the sign-in page. Open the sign-in link again and press Continue.',
      );
    }
    await saveFlow(found.vault, { ...flow, data: { ...flow.data, browser_binding: bindingOf(confirm) } });
    return {
      status: 303,
      headers: {
        location: flow.data.authorization_url,
        'cache-control': 'no-store',
        'referrer-policy': 'no-referrer',
      },
      body: '',
    };
  } finally {
    await unlock();
  }
}
