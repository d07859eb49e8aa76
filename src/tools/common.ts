// Input fields and output shapes shared by several tools.

import { z } from 'zod';

/**
 * Caps on free-text inputs that are sent to a server or stored: a model (or an injected prompt) cannot
 * push megabytes into a token request, a registration or the store. Every such field uses one of these.
 */
export const LIMITS = {
  /** provider, profile and session names */
  name: 128,
  /** one scope token */
  scope: 256,
  /** issuer, resource, redirect URIs */
  url: 2048,
  /** an API URL, query included */
  apiUrl: 8192,
  /** a header or query parameter name */
  fieldName: 256,
  /** a header or query parameter value */
  fieldValue: 8192,
  /** how many headers or query parameters */
  fields: 64,
  /** a request body, raw or as JSON */
  body: 1_000_000,
  /** JSON-serialised size of free-form objects (client metadata) */
  metadataBytes: 16_384,
} as const;

/** A string of at most `max` characters, refused with a message that says which field and how long. */
export function capped(what: string, max: number) {
  return z.string().max(max, `${what} is too long (at most ${max} characters)`);
}

/** A `{ name: value }` record of at most LIMITS.fields entries with capped names and values. */
export function cappedFields(what: string) {
  // Names are checked in a refinement: a failed record key would be reported as "Invalid key" only.
  return z
    .record(z.string(), capped(`a ${what} value`, LIMITS.fieldValue))
    .refine((fields) => Object.keys(fields).length <= LIMITS.fields, {
      message: `too many ${what}s (at most ${LIMITS.fields})`,
    })
    .refine((fields) => Object.keys(fields).every((name) => name.length <= LIMITS.fieldName), {
      message: `a ${what} name is too long (at most ${LIMITS.fieldName} characters)`,
    });
}

let engineModule: Promise<typeof import('../auth/index.js')> | undefined;

/**
 * The OAuth engine, loaded on the first tool call: start-up and tools/list need only the schemas. The
 * promise is kept: a dynamic import of a loaded module still goes through the module loader each time.
 */
export const oauth = () => {
  engineModule ??= import('../auth/index.js');
  return engineModule;
};

export const providerInput = () =>
  capped('provider', LIMITS.name).min(1).optional().describe('Default: the default one');

export const sessionIdInput = () =>
  capped('session_id', LIMITS.name).min(1).optional().describe("Default: the provider's latest");

const scopeList = () =>
  z
    .array(
      capped('a scope', LIMITS.scope)
        .min(1)
        .regex(
          /^[\x21\x23-\x5B\x5D-\x7E]+$/,
          'a scope is printable ASCII without spaces, quotes or backslashes',
        ),
    )
    .max(50);

/** A list, or the OAuth wire form "openid profile": models write both, and both mean the same. */
export const scopesInput = () =>
  z
    .union([scopeList(), z.string().max(4000)])
    .transform((value) => (typeof value === 'string' ? value.split(/\s+/).filter(Boolean) : value))
    .pipe(scopeList())
    .optional()
    .describe('Scopes, as a list or "openid profile" (default: the provider\'s)');

export const resourceInput = () =>
  capped('resource', LIMITS.url).url().optional().describe('RFC 8707 resource: the API the token is for');
