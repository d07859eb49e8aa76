// The one logger: JSON-free lines on stderr (stdout is the MCP protocol), with every known secret redacted.

import { pinSecret, redactLogLine } from './secrets/index.js';

type Level = 'debug' | 'info' | 'warn' | 'error';
const LEVELS: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** A leveled logger whose lines are redacted of known secrets and credential-shaped text. */
export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
  /** Registers a secret held for the life of the process (a client secret from config) in the secret registry. */
  addSecret(value: string | undefined): void;
}

/** What every log line goes through: known secrets and anything credential-shaped are removed. */
export const redact = redactLogLine;

/** A Logger writing to stderr; level default OAUTH_MCP_LOG_LEVEL, else info. */
export function createLogger(options: { level?: Level; write?: (line: string) => void } = {}): Logger {
  const threshold =
    LEVELS[options.level ?? (process.env.OAUTH_MCP_LOG_LEVEL as Level | undefined) ?? 'info'] ?? 20;
  const write = options.write ?? ((line: string) => process.stderr.write(line));
  const log = (level: Level, message: string, fields?: Record<string, unknown>) => {
    if (LEVELS[level] < threshold) return;
    const extra = fields && Object.keys(fields).length > 0 ? ` ${safeStringify(fields)}` : '';
    write(`${redactLogLine(`[oauth-mcp] ${level}: ${message}${extra}`)}\n`);
  };
  return {
    debug: (m, f) => log('debug', m, f),
    info: (m, f) => log('info', m, f),
    warn: (m, f) => log('warn', m, f),
    error: (m, f) => log('error', m, f),
    addSecret: pinSecret,
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
