// The one error family of oauth-mcp: stable codes, the AS's own error fields, a public message and a private detail.

export const ERROR_CODES = [
  'invalid_input',
  'not_configured',
  'not_authenticated',
  'oauth_error',
  'invalid_response',
  'network_error',
  'timeout',
  'cancelled',
  'store_unavailable',
  'forbidden',
  'internal',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/**
 * What the caller can do about an error, as data: the tools layer turns it into the name of a tool
 * (or the CLI into a command), so this module and auth/ never name MCP tools.
 */
export const NEXT_ACTIONS = [
  'sign_in',
  'continue_sign_in',
  'client_credentials',
  'register_client',
  'forget_client',
  'remove_session',
  'list_sessions',
  'discover',
  'retry',
] as const;

type NextAction = (typeof NEXT_ACTIONS)[number];

export interface NextStep {
  action: NextAction;
  provider?: string;
  session_id?: string;
  flow_id?: string;
  /** Scopes to ask for (sign_in, client_credentials). */
  scopes?: string[];
  /** client_credentials: get a new token even when one is stored. */
  force_new?: boolean;
}

interface OAuthToolErrorOptions {
  /** The AS's `error` (RFC 6749 section 5.2), kept verbatim. */
  oauthError?: string;
  /** The AS's `error_description`, kept verbatim. */
  oauthErrorDescription?: string;
  /** Internal detail for the log only; may name hosts or stack traces, never secrets. */
  detail?: string;
  /** What to do next; rendered into the public text by whoever shows the error. */
  next?: NextStep;
  cause?: unknown;
}

/**
 * `message` is public: it says what went wrong and what to do next, and never contains a token,
 * secret or authorization code. `detail` goes only to the (redacting) log.
 *
 * @example
 * try { await refreshToken(engine.ctx, { provider: 'work' }); }
 * catch (error) { if (error instanceof OAuthToolError) console.log(error.code, error.oauthError); }
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5.2 (the server's error codes, kept as oauth_error)
 */
export class OAuthToolError extends Error {
  override readonly name = 'OAuthToolError';
  readonly code: ErrorCode;
  readonly oauthError: string | undefined;
  readonly oauthErrorDescription: string | undefined;
  readonly detail: string | undefined;
  readonly next: NextStep | undefined;

  constructor(code: ErrorCode, message: string, options: OAuthToolErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.oauthError = options.oauthError;
    this.oauthErrorDescription = options.oauthErrorDescription;
    this.detail = options.detail;
    this.next = options.next;
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

interface PublicError {
  code: ErrorCode;
  message: string;
  oauth_error?: string;
  oauth_error_description?: string;
}
