// A headless "browser" for tests: follows redirects with a cookie jar and submits oidc-provider's
// devInteractions login/consent forms and the device flow's user-code forms. No JavaScript, no Chromium.

export interface SignInOptions {
  /** Account to sign in as; devInteractions accepts any login and password. */
  login: string;
  /** Approve the consent prompt (default true); false follows the abort link, giving `access_denied`. */
  consent?: boolean;
  /** Stop before requesting a URL for which this returns true (checked for every URL, any origin). */
  stopAt?: (url: URL) => boolean;
  /** GET the client's redirect URI (e.g. our loopback listener) and return its status and body. */
  followCallback?: boolean;
  /** Reuse a jar to keep the AS session between calls (e.g. for a silent `prompt=none` sign-in). */
  jar?: CookieJar;
}

export interface UserAgentResult {
  /** The URL the user agent stopped at (the callback with `code`/`error`), or the last page it saw. */
  finalUrl: string;
  /** Status of the response that pointed at `finalUrl` (or of the callback when followed). */
  status: number;
  /** Body text of the callback when followed, or of the last page. */
  body?: string;
}

export interface ApproveDeviceOptions {
  login: string;
  /** Confirm the code and consent (default true); false presses "abort", giving `access_denied`. */
  approve?: boolean;
  jar?: CookieJar;
}

interface Cookie {
  name: string;
  value: string;
  host: string;
  path: string;
}

/** Cookies by host and path; ports are ignored, as browsers do. */
export class CookieJar {
  readonly #cookies = new Map<string, Cookie>();

  store(url: URL, headers: Headers): void {
    for (const line of headers.getSetCookie()) {
      const [pair = '', ...attributes] = line.split(';').map((part) => part.trim());
      const eq = pair.indexOf('=');
      const cookie: Cookie = {
        name: pair.slice(0, eq),
        value: pair.slice(eq + 1),
        host: url.hostname,
        path: '/',
      };
      let expired = false;
      for (const attribute of attributes) {
        const [key = '', value = ''] = attribute.split('=');
        const name = key.toLowerCase();
        if (name === 'path' && value) cookie.path = value;
        if (name === 'max-age' && Number(value) <= 0) expired = true;
        if (name === 'expires' && Date.parse(value) <= Date.now()) expired = true;
      }
      const key = `${cookie.host} ${cookie.path} ${cookie.name}`;
      if (expired) this.#cookies.delete(key);
      else this.#cookies.set(key, cookie);
    }
  }

  header(url: URL): string | undefined {
    const matching = [...this.#cookies.values()].filter(
      (c) =>
        c.host === url.hostname &&
        (url.pathname === c.path || url.pathname.startsWith(c.path.endsWith('/') ? c.path : `${c.path}/`)),
    );
    return matching.length > 0 ? matching.map((c) => `${c.name}=${c.value}`).join('; ') : undefined;
  }
}

interface Form {
  id?: string;
  action: URL;
  method: string;
  fields: Record<string, string>;
}

const decodeEntities = (text: string) =>
  text.replace(/&(#x?[0-9a-f]+|amp|lt|gt|quot|apos);/gi, (_match, entity: string) => {
    const named: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
    if (entity[0] !== '#') return named[entity.toLowerCase()] ?? '';
    const hex = entity[1]?.toLowerCase() === 'x';
    return String.fromCodePoint(Number.parseInt(entity.slice(hex ? 2 : 1), hex ? 16 : 10));
  });

const attributesOf = (tag: string) => {
  const attributes: Record<string, string> = {};
  for (const [, name = '', value = ''] of tag.matchAll(/([\w.:-]+)\s*=\s*"([^"]*)"/g)) {
    attributes[name.toLowerCase()] = decodeEntities(value);
  }
  return attributes;
};

export function parseForms(html: string, base: URL): Form[] {
  return [...html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/gi)].map(([, tag = '', inner = '']) => {
    const attributes = attributesOf(tag);
    const fields: Record<string, string> = {};
    for (const [input = ''] of inner.matchAll(/<input\b[^>]*>/gi)) {
      const { name, value } = attributesOf(input);
      if (name) fields[name] = value ?? '';
    }
    return {
      id: attributes.id,
      action: new URL(attributes.action ?? base.href, base),
      method: (attributes.method ?? 'get').toUpperCase(),
      fields,
    };
  });
}

const textOf = (html: string) =>
  decodeEntities(html.replace(/<(style|script)[\s\S]*?<\/\1>/gi, ' ').replace(/<[^>]+>/g, ' '))
    .replace(/\s+/g, ' ')
    .trim();

type Decide = (page: {
  url: URL;
  html: string;
  forms: Form[];
}) => { url: URL; init?: RequestInit } | undefined;

/** Drives pages on the authorization server's origin until a redirect (or form) leaves it. */
async function drive(
  start: URL,
  jar: CookieJar,
  decide: Decide,
  options: { stopAt?: (url: URL) => boolean; followCallback?: boolean } = {},
): Promise<UserAgentResult> {
  const origin = start.origin;
  let url = start;
  let init: RequestInit = { method: 'GET' };
  let status = 0;
  for (let step = 0; step < 30; step++) {
    if (url.origin !== origin || options.stopAt?.(url)) {
      if (!options.followCallback) return { finalUrl: url.href, status };
      const response = await fetch(url, { ...init, redirect: 'manual' });
      return { finalUrl: url.href, status: response.status, body: await response.text() };
    }
    const cookie = jar.header(url);
    const response = await fetch(url, {
      ...init,
      redirect: 'manual',
      headers: { ...(init.headers as Record<string, string>), ...(cookie && { cookie }) },
    });
    jar.store(url, response.headers);
    status = response.status;
    const location = response.headers.get('location');
    if (status >= 300 && status < 400 && location) {
      url = new URL(location, url);
      init = { method: 'GET' };
      continue;
    }
    const html = await response.text();
    const next = status < 400 ? decide({ url, html, forms: parseForms(html, url) }) : undefined;
    if (!next) return { finalUrl: url.href, status, body: textOf(html) };
    url = next.url;
    init = next.init ?? { method: 'GET' };
  }
  throw new Error(`too many steps, last URL ${url.href}`);
}

const post = (form: Form, extra: Record<string, string> = {}) => ({
  url: form.action,
  init: {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ ...form.fields, ...extra }).toString(),
  },
});

/** Answers the login and consent prompts of oidc-provider's devInteractions. */
function interactions(login: string, consent: boolean): Decide {
  return ({ html, forms, url }) => {
    const loginForm = forms.find((f) => f.fields.prompt === 'login');
    if (loginForm) return post(loginForm, { login, password: 'any-password' });
    const consentForm = forms.find((f) => f.fields.prompt === 'consent');
    if (consentForm && consent) return post(consentForm);
    if (consentForm) {
      const abort = html.match(/<a\b[^>]*href="([^"]*\/abort[^"]*)"/i)?.[1];
      if (!abort) throw new Error('consent page has no abort link');
      return { url: new URL(decodeEntities(abort), url) };
    }
    return undefined;
  };
}

/**
 * Signs in at an authorization URL as `login` and stops at the redirect to the client (the
 * redirect_uri with `code` or `error`) without requesting it, unless `followCallback` is set.
 */
export async function signIn(authorizationUrl: string, options: SignInOptions): Promise<UserAgentResult> {
  const start = new URL(authorizationUrl);
  const answer = interactions(options.login, options.consent ?? true);
  const result = await drive(start, options.jar ?? new CookieJar(), answer, options);
  if (new URL(result.finalUrl).origin === start.origin && !options.stopAt?.(new URL(result.finalUrl))) {
    throw new Error(`sign-in stopped at ${result.finalUrl} (${result.status}): ${result.body}`);
  }
  return result;
}

/** Confirms (or aborts) a device flow user code at verification_uri_complete, then signs in and consents. */
export async function approveDevice(
  verificationUriComplete: string,
  options: ApproveDeviceOptions,
): Promise<UserAgentResult> {
  const approve = options.approve ?? true;
  const answer = interactions(options.login, approve);
  const result = await drive(new URL(verificationUriComplete), options.jar ?? new CookieJar(), (page) => {
    const confirm = page.forms.find((f) => f.id === 'op.deviceConfirmForm');
    if (confirm) return post(confirm, approve ? {} : { abort: 'yes' });
    const interaction = answer(page);
    if (interaction) return interaction;
    // the auto-submitting form that carries the user code, or the code input form
    const form = page.forms.find((f) => f.method === 'POST' && 'user_code' in f.fields);
    return form?.fields.user_code ? post(form) : undefined;
  });
  if (approve && result.status >= 400) {
    throw new Error(`device approval failed at ${result.finalUrl} (${result.status}): ${result.body}`);
  }
  return result;
}

export interface PageResult {
  status: number;
  /** The Location of a redirect. */
  location?: string;
  /** Visible text of the page. */
  text: string;
  headers: Headers;
}

/** Requests `url` as this browser (its cookies sent, new ones kept), without following a redirect. */
export async function visit(url: string, jar: CookieJar, init: RequestInit = {}): Promise<PageResult> {
  const target = new URL(url);
  const cookie = jar.header(target);
  const response = await fetch(target, {
    ...init,
    redirect: 'manual',
    headers: { ...(init.headers as Record<string, string>), ...(cookie && { cookie }) },
  });
  jar.store(target, response.headers);
  const location = response.headers.get('location');
  return {
    status: response.status,
    ...(location ? { location: new URL(location, target).href } : {}),
    text: textOf(await response.text()),
    headers: response.headers,
  };
}

/**
 * oauth-mcp's HTTP-mode sign-in start page: opens it and presses its one button. Returns the answer to
 * the button (a 303 to the authorization server when accepted) and the page that showed it.
 */
export async function continueAtStartPage(
  startUrl: string,
  jar: CookieJar,
): Promise<{ page: PageResult; answer: PageResult }> {
  const target = new URL(startUrl);
  const cookie = jar.header(target);
  const response = await fetch(target, { headers: { ...(cookie && { cookie }) }, redirect: 'manual' });
  jar.store(target, response.headers);
  const html = await response.text();
  const page = { status: response.status, text: textOf(html), headers: response.headers };
  const form = parseForms(html, target)[0];
  if (!form) return { page, answer: page };
  const answer = await visit(form.action.href, jar, post(form).init);
  return { page, answer };
}
