// The one logger: JSON-free lines on stderr (stdout is the MCP protocol), with every known secret redacted.

type Level = 'debug' | 'info' | 'warn' | 'error';
const LEVELS: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };

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

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
  /** Registers a concrete secret value (a client secret from config) so it is redacted wherever it appears. */
  addSecret(value: string | undefined): void;
}

export function redact(text: string, secrets: Iterable<string> = []): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length >= 4) out = out.split(secret).join('[redacted]');
  }
  for (const pattern of CREDENTIAL_PATTERNS) {
    out = out.replace(pattern, (match, name: string | undefined) => {
      if (match.startsWith('eyJ')) return '[redacted-jwt]';
      if (match.startsWith('"')) return `"${name}":"[redacted]"`;
      if (match.includes('=')) return `${name}=[redacted]`;
      return `${name} [redacted]`;
    });
  }
  return out;
}

export function createLogger(options: { level?: Level; write?: (line: string) => void } = {}): Logger {
  const threshold =
    LEVELS[options.level ?? (process.env.OAUTH_MCP_LOG_LEVEL as Level | undefined) ?? 'info'] ?? 20;
  const write = options.write ?? ((line: string) => process.stderr.write(line));
  const secrets = new Set<string>();
  const log = (level: Level, message: string, fields?: Record<string, unknown>) => {
    if (LEVELS[level] < threshold) return;
    const extra = fields && Object.keys(fields).length > 0 ? ` ${safeStringify(fields)}` : '';
    write(`${redact(`[oauth-mcp] ${level}: ${message}${extra}`, secrets)}\n`);
  };
  return {
    debug: (m, f) => log('debug', m, f),
    info: (m, f) => log('info', m, f),
    warn: (m, f) => log('warn', m, f),
    error: (m, f) => log('error', m, f),
    addSecret: (value) => {
      if (value) secrets.add(value);
    },
  };
}

function safeStringify(fields: Record<string, unknown>): string {
  try {
    return JSON.stringify(fields, (_key, value: unknown) =>
      value instanceof Error ? { name: value.name, message: value.message } : value,
    );
  } catch {
    return '[unserialisable fields]';
  }
}
