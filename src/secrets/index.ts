// The process's secret registry and what every exit applies: learn a secret where it enters (config,
// store, grant response, tool argument), redact on the way out (tool results, errors, logs, pages).
// A tool call runs in a secret scope (its caller, the secrets it uses): what is learned there belongs to
// that caller, stays known until the call ends, and what the caller sees is redacted for them.

import { AsyncLocalStorage } from 'node:async_hooks';
import { type Audience, REDACTED, type SecretEntry, SecretRegistry, type Viewer } from './registry.js';

export { SecretRegistry } from './registry.js';

/** One per process: in HTTP mode it holds every user's secrets, each with its owner and audience. */
export const secretRegistry = new SecretRegistry();

interface SecretScope {
  viewer: Viewer;
  /** The secrets this call learned or read: never forgotten before it ends. */
  held: Set<SecretEntry>;
}

const scopes = new AsyncLocalStorage<SecretScope>();

/**
 * Runs one tool call as `owner` (a principal, or '' for the local user): the secrets it uses stay known
 * until it ends, and what it returns is redacted for that caller. `input` is what the caller sent: a
 * secret of someone else's in it is not redacted back to them (that would confirm a guess).
 */
export async function withSecretScope<T>(owner: string, input: unknown, run: () => Promise<T>): Promise<T> {
  forEachString(input, 0, (text) => secretRegistry.markShown(text, owner));
  const scope: SecretScope = { viewer: { owner }, held: new Set() };
  try {
    return await scopes.run(scope, run);
  } finally {
    for (const entry of scope.held) secretRegistry.release(entry);
  }
}

function learn(value: string | undefined | null, audience: Audience): void {
  const scope = scopes.getStore();
  if (audience === 'others' && !scope) return; // no owner to show it to: the owner's own call learns it
  const entry = secretRegistry.learn(value, scope?.viewer.owner ?? '', audience);
  if (entry && scope && !scope.held.has(entry)) {
    secretRegistry.hold(entry);
    scope.held.add(entry);
  }
}

/** Registers a secret from an authorization server or the store: redacted for every caller. */
export function learnSecret(value: string | undefined | null): void {
  learn(value, 'everyone');
}

/** Registers a value the caller gave as a secret (a token to inspect): redacted for that caller only. */
export function learnPastedSecret(value: string | undefined | null): void {
  learn(value, 'owner');
}

/** Registers a secret held for the life of the process, e.g. a client secret from the config. */
export function pinSecret(value: string | undefined | null): void {
  for (const part of secretParts(value)) secretRegistry.pin(part);
}

/** Field names (stored records, config, OAuth wire) whose string values are secrets. */
const SECRET_FIELDS = new Set([
  'access_token',
  'refresh_token',
  'id_token',
  'code_verifier',
  'device_code',
  'client_secret',
  'registration_access_token',
  'clientSecret',
  'initialAccessToken',
  'clientPrivateKey',
]);

/** Fields handed to their owner (the start page's handle, inside the link they open): hidden from others. */
const OWNER_VISIBLE_FIELDS = new Set(['start_handle']);

/** The private members of a JWK (RFC 7518 6.2.2, 6.3.2, 6.4). */
const PRIVATE_JWK_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k'];

/** Learns the secret fields of a record (a session, a flow, a client profile), at any depth. */
export function learnSecretsOf(record: unknown, depth = 0): void {
  if (depth > 8 || record === null || typeof record !== 'object') return;
  const isJwk = 'kty' in record;
  for (const [key, value] of Object.entries(record)) {
    if (typeof value === 'string') {
      if (SECRET_FIELDS.has(key) || (isJwk && PRIVATE_JWK_MEMBERS.includes(key))) {
        for (const part of secretParts(value)) learn(part, 'everyone');
      } else if (OWNER_VISIBLE_FIELDS.has(key)) learn(value, 'others');
    } else learnSecretsOf(value, depth + 1);
  }
}

/** Pins the secret fields of a config section (a provider: clientSecret, initialAccessToken, clientPrivateKey). */
export function pinSecretsOf(section: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(section)) {
    if (typeof value === 'string' && SECRET_FIELDS.has(key)) pinSecret(value);
  }
}

/** A secret and the parts of it that leak on their own: a JWK's private members, a PEM's base64 lines. */
function secretParts(value: string | undefined | null): string[] {
  if (!value) return [];
  const parts = [value];
  if (value.includes('-----BEGIN')) {
    parts.push(...value.split(/\r?\n|\\n/).filter((line) => !line.startsWith('-----')));
  } else if (value.trimStart().startsWith('{')) {
    try {
      const jwk = JSON.parse(value) as Record<string, unknown>;
      for (const member of PRIVATE_JWK_MEMBERS) {
        if (typeof jwk[member] === 'string') parts.push(jwk[member]);
      }
    } catch {
      // not JSON: the value alone
    }
  }
  return parts;
}

/** Who reads what leaves now: the caller of the tool call in progress, else the operator (every secret). */
function viewer(): Viewer | undefined {
  return scopes.getStore()?.viewer;
}

/** `text` without any secret its reader may not see. */
export function redactSecrets(text: string): string {
  return secretRegistry.redact(text, viewer());
}

/** `text` cut at its end by us: also a secret's first characters right at the cut. */
export function redactCut(text: string): string {
  return secretRegistry.redactCut(text, viewer());
}

/** Patterns that look like credentials even when we were never told their value. */
const CREDENTIAL_PATTERNS: RegExp[] = [
  // JWTs (access tokens, ID tokens, client assertions)
  /eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g,
  // Bearer / Basic credentials in headers
  /\b(Bearer|Basic|DPoP)\s+[A-Za-z0-9._~+/=-]{8,}/gi,
  // secrets passed as form or query parameters
  /\b(access_token|refresh_token|id_token|client_secret|code|code_verifier|registration_access_token|password|device_code)=([^&\s"']+)/gi,
  // the same inside JSON
  /"(access_token|refresh_token|id_token|client_secret|code|code_verifier|registration_access_token|device_code)"\s*:\s*"[^"]*"/gi,
];

/**
 * For text that should never hold anything credential-shaped (logs, error messages): known secrets,
 * and also whatever looks like a JWT, a bearer header or a secret parameter.
 */
export function redactCredentials(text: string): string {
  return redactCredentialShapes(secretRegistry.redact(text, viewer()));
}

/** A log line: for the operator, so every secret of every caller, and anything credential-shaped. */
export function redactLogLine(text: string): string {
  return redactCredentialShapes(secretRegistry.redact(text));
}

function redactCredentialShapes(text: string): string {
  let out = text;
  for (const pattern of CREDENTIAL_PATTERNS) {
    out = out.replace(pattern, (match, name: string | undefined) => {
      if (match.startsWith('eyJ')) return '[redacted-jwt]';
      if (match.startsWith('"')) return `"${name}":"${REDACTED}"`;
      if (match.includes('=')) return `${name}=${REDACTED}`;
      return `${name} ${REDACTED}`;
    });
  }
  return out;
}

/** The raw-token fields of a session or client view that `exposeTokens: true` means to show. */
const EXPOSED_FIELDS = new Set([
  'access_token',
  'refresh_token',
  'id_token',
  'client_secret',
  'registration_access_token',
]);
/** Where those views sit in a tool result: at the top, as `session`, or in `sessions`. */
const VIEW_HOLDERS = new Set(['session', 'sessions']);
const MAX_DEPTH = 64;

/**
 * The value with every string redacted for its reader. Keys too, for data (an API's JSON body);
 * with `keepKeys` (a tool result, whose keys are its output schema's) never. With `exposeTokens`, only
 * the exposed fields of session and client views keep their raw value; an API's body never does.
 * What redaction leaves unchanged is returned as it was (the same objects), so a caller can tell by
 * identity whether anything was redacted; what it changes is a copy.
 */
export function redactDeep<T>(value: T, options: { exposeTokens?: boolean; keepKeys?: boolean } = {}): T {
  return walk(value, 0, options.exposeTokens === true, options.keepKeys === true, viewer()) as T;
}

function walk(
  value: unknown,
  depth: number,
  isView: boolean,
  keepKeys: boolean,
  reader: Viewer | undefined,
): unknown {
  if (typeof value === 'string') return secretRegistry.redact(value, reader);
  if (value === null || typeof value !== 'object') return value;
  if (depth >= MAX_DEPTH) return '[too deeply nested]';
  if (Array.isArray(value)) {
    const items = value.map((item) => walk(item, depth + 1, isView, keepKeys, reader));
    return items.some((item, i) => item !== value[i]) ? items : value;
  }
  const out: Record<string, unknown> = {};
  let changed = false;
  for (const [key, item] of Object.entries(value)) {
    const keep = isView && EXPOSED_FIELDS.has(key) && typeof item === 'string';
    const outKey = keepKeys ? key : secretRegistry.redact(key, reader);
    const outItem = keep
      ? item
      : walk(item, depth + 1, isView && depth === 0 && VIEW_HOLDERS.has(key), keepKeys, reader);
    if (outKey !== key || outItem !== item) changed = true;
    out[outKey] = outItem;
  }
  return changed ? out : value;
}

/** Calls `visit` with every string (keys too) of a tool call's arguments. */
function forEachString(value: unknown, depth: number, visit: (text: string) => void): void {
  if (typeof value === 'string') visit(value);
  else if (value !== null && typeof value === 'object' && depth < MAX_DEPTH) {
    for (const [key, item] of Object.entries(value)) {
      visit(key);
      forEachString(item, depth + 1, visit);
    }
  }
}
