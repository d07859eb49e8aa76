// The logger never lets a credential through, whatever shape it arrives in.

import { describe, expect, it } from 'vitest';
import { createLogger, redact } from '../../src/log.js';

const JWT = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJlLXZhbHVl';

describe('redacting logger', () => {
  it.each([
    ['a JWT anywhere', `token was ${JWT}`, JWT],
    ['a bearer header', 'Authorization: Bearer abcdefgh12345678', 'abcdefgh12345678'],
    ['a form parameter', 'body grant_type=refresh_token&refresh_token=rt-123456789&x=1', 'rt-123456789'],
    ['a query code', 'GET /callback?code=auth-code-987654&state=abc', 'auth-code-987654'],
    ['a PKCE verifier', 'code_verifier=verifier-value-0123456789', 'verifier-value-0123456789'],
    ['a JSON field', '{"access_token":"opaque-token-value","token_type":"Bearer"}', 'opaque-token-value'],
    ['a client secret parameter', 'client_secret=shhh-secret-value', 'shhh-secret-value'],
  ])('removes %s', (_name, text, secret) => {
    expect(redact(text)).not.toContain(secret);
  });

  it('removes registered secret values wherever they appear, in messages and fields', () => {
    const lines: string[] = [];
    const logger = createLogger({ level: 'debug', write: (line) => lines.push(line) });
    logger.addSecret('my-client-secret-value');
    logger.info('connecting with my-client-secret-value', { detail: 'again my-client-secret-value' });
    expect(lines.join('')).not.toContain('my-client-secret-value');
    expect(lines.join('')).toContain('[redacted]');
  });

  it('honours the level threshold', () => {
    const lines: string[] = [];
    const logger = createLogger({ level: 'warn', write: (line) => lines.push(line) });
    logger.info('quiet');
    logger.warn('loud');
    expect(lines).toEqual(['[oauth-mcp] warn: loud\n']);
  });
});
