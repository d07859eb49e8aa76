// Input fields and output shapes shared by several tools.

import { z } from 'zod';
import { ERROR_CODES } from '../auth/errors.js';

/** The OAuth engine, loaded on the first tool call: start-up and tools/list need only the schemas. */
export const oauth = () => import('../auth/index.js');

export const providerInput = z
  .string()
  .min(1)
  .optional()
  .describe('Provider name from the config or a registered client; default: the configured defaultProvider');

export const sessionIdInput = z
  .string()
  .min(1)
  .optional()
  .describe('Session to use (from oauth_list_sessions); default: the latest session of the provider');

const scopeList = z
  .array(
    z
      .string()
      .min(1)
      .regex(
        /^[\x21\x23-\x5B\x5D-\x7E]+$/,
        'a scope is printable ASCII without spaces, quotes or backslashes',
      ),
  )
  .max(50);

/** A list, or the OAuth wire form "openid profile": models write both, and both mean the same. */
export const scopesInput = z
  .union([scopeList, z.string().max(4000)])
  .transform((value) => (typeof value === 'string' ? value.split(/\s+/).filter(Boolean) : value))
  .pipe(scopeList)
  .optional()
  .describe(
    'Scopes to request, as a list or one space-separated string ("openid profile"); default: the provider\'s configured scopes',
  );

export const resourceInput = z
  .string()
  .url()
  .optional()
  .describe('RFC 8707 resource indicator (the API the token is for)');

export const publicErrorSchema = z.object({
  code: z.enum(ERROR_CODES),
  message: z.string(),
  oauth_error: z.string().optional(),
  oauth_error_description: z.string().optional(),
});
