// The small HTML page the user's browser shows after the authorization server redirects back to us.

import { redactCredentials } from '../secrets/index.js';

export type CallbackOutcome = 'success' | 'denied' | 'error';

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
  const body = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${escapeHtml(title)} - oauth-mcp</title>
<style>
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;display:flex;min-height:100vh;align-items:center;justify-content:center;background:#f6f8fa;color:#1f2328}
main{background:#fff;border:1px solid #d0d7de;border-radius:12px;padding:2rem 2.5rem;max-width:32rem}
h1{margin:0 0 1rem;font-size:1.5rem;color:${COLOURS[outcome]}}
p{line-height:1.5}
.detail{color:#59636e;font-size:.9rem}
</style>
</head>
<body>
<main>
<h1 id="outcome" data-outcome="${outcome}">${escapeHtml(title)}</h1>
<p>${escapeHtml(lead)}</p>
${detail ? `<p class="detail">${escapeHtml(detail)}</p>` : ''}
</main>
</body>
</html>
`;
  return {
    status: outcome === 'success' ? 200 : outcome === 'denied' ? 403 : 400,
    headers: {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
      'referrer-policy': 'no-referrer',
      'x-content-type-options': 'nosniff',
    },
    body,
  };
}

export function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );
}
