// A log for bug reports: --log-file / OAUTH_MCP_LOG_FILE appends timestamped lines (mode 0600, secrets
// redacted); --log-format json / OAUTH_MCP_LOG_FORMAT gives one JSON object per line, e.g. for HTTP mode.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log.js';
import { CLI, runHttpCli, startHttpProcess } from '../helpers/http-server-process.js';

const dir = mkdtempSync(join(tmpdir(), 'oauth-mcp-log-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

describe('the log file', () => {
  it('gets every line with a timestamp, owner-only, with secrets redacted', () => {
    const file = join(dir, 'text.log');
    const stderr: string[] = [];
    const logger = createLogger({
      level: 'warn',
      fileLevel: 'info',
      file,
      write: (line) => stderr.push(line),
    });
    logger.addSecret('the-client-secret-in-the-log');
    logger.info('discovered the server', { issuer: 'https://auth.example.com' });
    logger.warn('refused the-client-secret-in-the-log');
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]?.split(' ')[0]).toMatch(ISO);
    expect(lines[0]).toContain(
      '[oauth-mcp] info: discovered the server {"issuer":"https://auth.example.com"}',
    );
    expect(lines[1]).toContain('refused [redacted]');
    // stderr keeps its own (quieter) level; the file is for the bug report.
    expect(stderr).toEqual(['[oauth-mcp] warn: refused [redacted]\n']);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('as JSON: one object per line with time, level and msg that a field cannot overwrite', () => {
    const file = join(dir, 'json.log');
    const logger = createLogger({ format: 'json', file, write: () => undefined });
    logger.addSecret('another-secret-value-1234');
    logger.info('signed in', { session_id: 'ses_1', level: 'error', note: 'with another-secret-value-1234' });
    const [line] = readFileSync(file, 'utf8').trimEnd().split('\n');
    const parsed = JSON.parse(line ?? '');
    expect(parsed).toMatchObject({ level: 'info', msg: 'signed in', session_id: 'ses_1' });
    expect(parsed.time).toMatch(ISO);
    expect(line).not.toContain('another-secret-value-1234');
  });
});

const README = readFileSync(resolve(import.meta.dirname, '../../README.md'), 'utf8');
const BLOCK = /<!-- commands: logging, [^>]*-->\n```sh\n([\s\S]*?)\n```/.exec(README)?.[1] ?? '';
const [HTTP_LINE = '', DOCTOR_LINE = ''] = BLOCK.split('\n');
/** A README line's arguments after `oauth-mcp`, with its relative log file placed in this test's directory. */
const argsOf = (line: string) =>
  line
    .replace(/^.*?oauth-mcp /, '')
    .split(' ')
    .map((word) => (word.endsWith('.log') ? join(dir, word) : word));

describe("the README's logging lines", () => {
  it('HTTP mode with --log-format json --log-file: JSON lines on stderr and in the file', async () => {
    expect(HTTP_LINE).toBe('oauth-mcp --transport http --log-format json --log-file oauth-mcp.log');
    const args = argsOf(HTTP_LINE).filter((word) => word !== '--transport' && word !== 'http');
    const server = await startHttpProcess({ config: {}, args });
    try {
      const stderrLines = server
        .stderr()
        .trimEnd()
        .split('\n')
        .filter((l) => l.startsWith('{'));
      expect(stderrLines.length).toBeGreaterThan(0);
      for (const line of stderrLines) expect(JSON.parse(line)).toHaveProperty('msg');
      const logged = readFileSync(join(dir, 'oauth-mcp.log'), 'utf8')
        .trimEnd()
        .split('\n')
        .map((l) => JSON.parse(l));
      expect(logged.some((entry) => String(entry.msg).includes('serving MCP over streamable HTTP'))).toBe(
        true,
      );
      for (const entry of logged) expect(entry.time).toMatch(ISO);
    } finally {
      await server.stop();
    }
  }, 30_000);

  it('a command with OAUTH_MCP_LOG_LEVEL=debug and --log-file: the file gets what stderr does not show', () => {
    expect(DOCTOR_LINE).toBe('OAUTH_MCP_LOG_LEVEL=debug oauth-mcp doctor --log-file doctor.log');
    const config = join(dir, 'doctor.json');
    writeFileSync(config, JSON.stringify({ store: { type: 'memory' } }));
    const run = spawnSync(process.execPath, [CLI, ...argsOf(DOCTOR_LINE), '--config', config], {
      env: { PATH: process.env.PATH ?? '', HOME: dir, CI: 'true', OAUTH_MCP_LOG_LEVEL: 'debug' },
      encoding: 'utf8',
    });
    expect(run.status).toBe(1); // no providers configured
    const logged = readFileSync(join(dir, 'doctor.log'), 'utf8').trimEnd().split('\n');
    expect(logged.length).toBeGreaterThan(0);
    for (const line of logged) expect(line.split(' ')[0]).toMatch(ISO);
  });

  it('refuses to start with a log file it cannot write, saying what to do', async () => {
    const { code, stderr } = await runHttpCli({}, ['--log-file', join(dir, 'missing-dir', 'x.log')]);
    expect(code).toBe(2);
    expect(stderr).toContain('Cannot write the log file');
    expect(stderr).toContain('choose a path in a directory you can write to');
  });
});
