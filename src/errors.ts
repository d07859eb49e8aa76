// The one error family of oauth-mcp: stable codes, the AS's own error fields, a public message and a private detail.

export const ERROR_CODES = [
  'invalid_input',
  'not_configured',
  'not_authenticated',
  'oauth_error',
  'invalid_response',
  'network_error',
  'timeout',
  'store_unavailable',
  'forbidden',
  'internal',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export interface OAuthToolErrorOptions {
  /** The AS's `error` (RFC 6749 section 5.2), kept verbatim. */
  oauthError?: string;
  /** The AS's `error_description`, kept verbatim. */
  oauthErrorDescription?: string;
  /** Internal detail for the log only; may name hosts or stack traces, never secrets. */
  detail?: string;
  cause?: unknown;
}

/**
 * `message` is public: it says what went wrong and what to do next, and never contains a token,
 * secret or authorization code. `detail` goes only to the (redacting) log.
 */
export class OAuthToolError extends Error {
  override readonly name = 'OAuthToolError';
  readonly code: ErrorCode;
  readonly oauthError: string | undefined;
  readonly oauthErrorDescription: string | undefined;
  readonly detail: string | undefined;

  constructor(code: ErrorCode, message: string, options: OAuthToolErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.oauthError = options.oauthError;
    this.oauthErrorDescription = options.oauthErrorDescription;
    this.detail = options.detail;
  }

  /** The structured `error` object of a tool result. */
  toJSON(): PublicError {
    return {
      code: this.code,
      message: this.message,
      ...(this.oauthError === undefined ? {} : { oauth_error: this.oauthError }),
      ...(this.oauthErrorDescription === undefined
        ? {}
        : { oauth_error_description: this.oauthErrorDescription }),
    };
  }
}

export interface PublicError {
  code: ErrorCode;
  message: string;
  oauth_error?: string;
  oauth_error_description?: string;
}
