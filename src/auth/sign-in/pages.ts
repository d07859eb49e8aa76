// The small HTML pages the user's browser sees from us: after the authorization server redirects back, and
// HTTP mode's sign-in start page.

import { redactCredentials } from '../../secrets/index.js';

type CallbackOutcome = 'success' | 'denied' | 'error';

export interface CallbackPage {
  status: number;
  headers: Record<string, string>;
  body: string;
}

const TITLES: Record<CallbackOutcome, string> = {
  success: 'Signed in',
  denied: 'Sign-in denied',
  error: 'Sign-in failed',
};

const COLOURS: Record<CallbackOutcome, string> = { success: '#1a7f37', denied: '#9a6700', error: '#cf222e' };

/**
 * `detail` is shown to the user: a public message, redacted (an AS may echo a code or secret in it)
 * and escaped here like every other value. The page loads nothing and runs no script.
 */
export function renderCallbackPage(
  outcome: CallbackOutcome,
  detail: string,
  provider?: string,
): CallbackPage {
  const title = TITLES[outcome];
  const lead =
    outcome === 'success'
      ? `You are signed in${provider ? ` to "${provider}"` : ''}. You can close this tab and return to your assistant.`
      : outcome === 'denied'
        ? 'The sign-in was denied, so no access was granted. You can close this tab; ask your assistant to start a new sign-in if you change your mind.'
        : 'The sign-in could not be completed. You can close this tab; ask your assistant to start a new sign-in.';
  detail = redactCredentials(detail);
  const inner = `<h1 id="outcome" data-outcome="${outcome}">${escapeHtml(title)}</h1>
<p>${escapeHtml(lead)}</p>
${detail ? `<p class="detail">${escapeHtml(detail)}</p>` : ''}`;
  return htmlPage(
    title,
    COLOURS[outcome],
    inner,
    outcome === 'success' ? 200 : outcome === 'denied' ? 403 : 400,
  );
}

interface StartPageInput {
  /** Who asked for the sign-in, as the bearer token named them; absent without http.auth. */
  requester: { iss: string; sub: string } | undefined;
  provider: string;
  issuer: string | undefined;
  /** The start page's own URL: the form posts back to it. */
  formAction: string;
  /** The double-submit value the form carries; the same value is this browser's cookie. */
  confirm: string;
  /** The authorization server's origin: the one place the form's redirect may lead. */
  authorizationOrigin: string;
}

/** Names who asked and where; continuing is a same-origin POST (a cross-site page cannot press it). */
export function renderStartPage(input: StartPageInput): CallbackPage {
  const who = input.requester
    ? `"${input.requester.sub}" (signed in to this server through ${URL.canParse(input.requester.iss) ? new URL(input.requester.iss).host : input.requester.iss})`
    : 'A user of this oauth-mcp server';
  const where = `"${input.provider}"${input.issuer ? ` (${input.issuer})` : ''}`;
  const inner = `<h1>Sign in for ${escapeHtml(input.requester ? input.requester.sub : 'an assistant')}?</h1>
<p>${escapeHtml(who)} asked their assistant to sign in to ${escapeHtml(where)}.</p>
<p><strong>Continue only if you are that user.</strong> Whoever signs in next gives that user's assistant access to their account. If someone sent you this link, close this tab.</p>
<form method="post" action="${escapeHtml(input.formAction)}">
<input type="hidden" name="confirm" value="${escapeHtml(input.confirm)}">
<button type="submit">Continue to sign in</button>
</form>`;
  return htmlPage(
    'Continue to sign in',
    '#1f2328',
    inner,
    200,
    `form-action 'self' ${input.authorizationOrigin}`,
  );
}

function htmlPage(title: string, colour: string, inner: string, status: number, csp = ''): CallbackPage {
  const body = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<link rel="icon" href="data:,">
<title>${escapeHtml(title)} - oauth-mcp</title>
<style>
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;display:flex;min-height:100vh;align-items:center;justify-content:center;background:#f6f8fa;color:#1f2328}
main{background:#fff;border:1px solid #d0d7de;border-radius:12px;padding:2rem 2.5rem;max-width:32rem}
h1{margin:0 0 1rem;font-size:1.5rem;color:${colour}}
p{line-height:1.5}
.detail{color:#59636e;font-size:.9rem}
</style>
</head>
<body>
<main>
${inner}
</main>
</body>
</html>
`;
  return {
    status,
    headers: {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      'content-security-policy': `default-src 'none'; img-src data:; style-src 'unsafe-inline'; frame-ancestors 'none'${csp ? `; ${csp}` : ''}`,
      'referrer-policy': 'no-referrer',
      'x-content-type-options': 'nosniff',
    },
    body,
  };
}

function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );
}
