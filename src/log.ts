// The one logger: lines on stderr (stdout is the MCP protocol), as text or JSON, optionally also appended to a
// log file with timestamps for bug reports; every known secret redacted on the way out.

import { closeSync, openSync, writeSync } from 'node:fs';
import { OAuthToolError } from './errors.js';
import { pinSecret, redactLogLine } from './secrets/index.js';

type Level = 'debug' | 'info' | 'warn' | 'error';
const LEVELS: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };
export type LogFormat = 'text' | 'json';

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

export interface LoggerOptions {
  /** The least severe lines written to stderr; default info (config `log.level`). */
  level?: Level;
  /** The least severe lines written to `file`; default `level`. */
  fileLevel?: Level;
  /** `text` (default): `[oauth-mcp] info: message {fields}`; `json`: one object per line, with `time`. */
  format?: LogFormat;
  /** Also append lines from `fileLevel` up to this file (mode 0600), with a timestamp. */
  file?: string | undefined;
  write?: (line: string) => void;
}

/**
 * A Logger writing to stderr (and to `file`); the file is opened at once, so a bad path fails at start-up.
 *
 * @example
 * const engine = createEngine({ config, store, logger: createLogger({ level: 'info' }) });
 * @see SECURITY.md (what the logger redacts)
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const threshold = LEVELS[options.level ?? 'info'];
  const fileThreshold = LEVELS[options.fileLevel ?? options.level ?? 'info'];
  const format = options.format ?? 'text';
  const write = options.write ?? ((line: string) => process.stderr.write(line));
  const file = options.file === undefined ? undefined : openLogFile(options.file);
  const log = (level: Level, message: string, fields?: Record<string, unknown>) => {
    const toStderr = LEVELS[level] >= threshold;
    const toFile = file !== undefined && LEVELS[level] >= fileThreshold;
    if (!toStderr && !toFile) return;
    const time = new Date().toISOString();
    const line = redactLogLine(
      format === 'json' ? jsonLine(time, level, message, fields) : textLine(level, message, fields),
    );
    if (toStderr) write(`${line}\n`);
    if (toFile) writeSync(file, `${format === 'json' ? line : `${time} ${line}`}\n`);
  };
  return {
    debug: (m, f) => log('debug', m, f),
    info: (m, f) => log('info', m, f),
    warn: (m, f) => log('warn', m, f),
    error: (m, f) => log('error', m, f),
    addSecret: pinSecret,
  };
}

function openLogFile(path: string): number {
  try {
    const fd = openSync(path, 'a', 0o600);
    process.once('exit', () => closeSync(fd));
    return fd;
  } catch (error) {
    throw new OAuthToolError(
      'invalid_input',
      `Cannot write the log file ${path} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}): choose a path in a directory you can write to.`,
    );
  }
}

function textLine(level: Level, message: string, fields?: Record<string, unknown>): string {
  const extra = fields && Object.keys(fields).length > 0 ? ` ${safeStringify(fields)}` : '';
  return `[oauth-mcp] ${level}: ${message}${extra}`;
}

function jsonLine(time: string, level: Level, message: string, fields?: Record<string, unknown>): string {
  // The fixed keys last, so a field cannot pass for them.
  return safeStringify({ ...fields, time, level, msg: message });
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
