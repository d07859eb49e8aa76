// Plain HTML pages of the demo authorization server (oidc-provider's defaults print notices on stdout).
interface PageContext {
  type?: string;
  body: unknown;
  oidc?: { client?: { clientId: string; clientName?: string } };
}

const escapeHtml = (value: unknown) =>
  String(value).replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );

const page = (title: string, body: string) =>
  `<!DOCTYPE html><html><head><meta charset="utf-8"><title>${title}</title></head>` +
  `<body><h1>${title}</h1>${body}</body></html>`;

export async function renderError(ctx: PageContext, out: Record<string, unknown>) {
  ctx.type = 'html';
  ctx.body = page(
    'Something went wrong',
    Object.entries(out)
      .map(([key, value]) => `<p><strong>${escapeHtml(key)}</strong>: ${escapeHtml(value)}</p>`)
      .join(''),
  );
}

/** The `features.deviceFlow` page sources; `form` is oidc-provider's own (escaped) form markup. */
export const deviceFlowPages = {
  async userCodeInputSource(ctx: PageContext, form: string, _out: unknown, error?: { name?: string }) {
    const message = error
      ? '<p class="error">The code is not valid. Try again.</p>'
      : '<p>Enter the code shown on your device.</p>';
    ctx.body = page(
      'Sign-in',
      `${message}${form}<button type="submit" form="op.deviceInputForm">Continue</button>`,
    );
  },
  async userCodeConfirmSource(
    ctx: PageContext,
    form: string,
    _client: unknown,
    _info: unknown,
    userCode: string,
  ) {
    const client = ctx.oidc?.client;
    ctx.body = page(
      'Confirm device',
      `<p>${escapeHtml(client?.clientName ?? client?.clientId)} shows the code <code>${escapeHtml(userCode)}</code>.</p>${form}` +
        '<button type="submit" form="op.deviceConfirmForm">Continue</button>' +
        '<button type="submit" form="op.deviceConfirmForm" name="abort" value="yes">Abort</button>',
    );
  },
  async successSource(ctx: PageContext) {
    ctx.body = page('Sign-in success', '<p>You can close this page and return to your device.</p>');
  },
};
