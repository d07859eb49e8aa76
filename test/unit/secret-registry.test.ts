// The secret registry finds a secret however it is spelt or cut, stays bounded, and is cheap on the hot path.

import { describe, expect, it } from 'vitest';
import {
  learnSecretsOf,
  pinSecret,
  redactDeep,
  redactSecrets,
  SecretRegistry,
  secretRegistry,
} from '../../src/secrets/index.js';

const TOKEN = 'at/0123+abcdefghij/KLMNOPqrstuv_wxyz-9876';

function registry(...secrets: string[]): SecretRegistry {
  const r = new SecretRegistry();
  for (const secret of secrets) r.learn(secret);
  return r;
}

const escapeAll = (text: string) =>
  [...text].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).join('');

describe('secret registry', () => {
  it.each([
    ['raw', `token ${TOKEN} here`],
    ['JSON-escaped slashes', `{"t":"${TOKEN.replace(/\//g, '\\/')}"}`],
    ['\\u002f slashes', `{"t":"${TOKEN.replace(/\//g, '\\u002f')}"}`],
    ['upper-case \\u002F', `{"t":"${TOKEN.replace(/\//g, '\\u002F')}"}`],
    ['every char \\u-escaped', `{"t":"${escapeAll(TOKEN)}"}`],
    ['escaped twice', `"${TOKEN.replace(/\//g, '\\\\/')}"`],
    ['percent-encoded', `?t=${encodeURIComponent(TOKEN)}`],
    ['percent-encoded twice', `?t=${encodeURIComponent(encodeURIComponent(TOKEN))}`],
    ['HTML entities', `<p>${TOKEN.replace(/\//g, '&#x2F;').replace(/\+/g, '&#43;')}</p>`],
    ['base64 in a Basic header', `Basic ${Buffer.from(`client:${TOKEN}`).toString('base64')}`],
    ['base64url at another alignment', Buffer.from(`ab${TOKEN}xyz`).toString('base64url')],
    ['cut short, more than half of it before a quote', `{"t":"${TOKEN.slice(0, 24)}"}`],
  ])('redacts a secret spelt %s', (_name, text) => {
    const out = registry(TOKEN).redact(text);
    expect(out).toContain('[redacted]');
    for (let i = 0; i + 8 <= TOKEN.length; i++) expect(out).not.toContain(TOKEN.slice(i, i + 8 + 0));
  });

  it.each([
    ['one character short', `echo: ${TOKEN.slice(0, -1)}`],
    ['8 characters in', `echo: ${TOKEN.slice(0, 8)}`],
    ['inside an escape', `{"t":"${TOKEN.slice(0, 10).replace(/\//g, '\\/')}\\u00`],
    ['inside a percent-encoding', `?t=${encodeURIComponent(TOKEN).slice(0, 14)}`],
  ])('redacts a secret cut %s where we cut the text', (_name, text) => {
    const out = registry(TOKEN).redactCut(text);
    expect(out).toMatch(/\[redacted\]$/);
    expect(out).not.toContain(TOKEN.slice(0, 8));
  });

  it('leaves a short public prefix of a secret alone, unless we cut there', () => {
    const r = registry('demo-confidential-secret-NOT-A-REAL-SECRET');
    const url = 'https://as.example/auth?client_id=demo-confidential&response_type=code';
    expect(r.redact(url)).toBe(url);
    expect(r.redact('demo-confidential')).toBe('demo-confidential');
    expect(r.redactCut('...&client_secret=demo-confidential')).toBe('...&client_secret=[redacted]');
  });

  it('leaves other text alone, including strings that merely share a prefix', () => {
    const r = registry(TOKEN);
    const text = `at/0123+abcdefghZZ and at/0123+ab-other-token, plain words`;
    expect(r.redact(text)).toBe(text);
  });

  it("redacts a JWT's signature even when echoed alone", () => {
    const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJlLXZhbHVlLXRoYXQtaXMtbG9uZw';
    expect(registry(jwt).redact('sig=c2lnbmF0dXJlLXZhbHVlLXRoYXQtaXMtbG9uZw;')).toBe('sig=[redacted];');
  });

  it.each([
    ['ASCII', TOKEN],
    ['not ASCII', 'pässwörd-€-😀-\ud800-Geheimnis'],
  ])(
    'redacts an %s secret base64-encoded at every alignment, in both alphabets, whole or cut',
    (_kind, secret) => {
      const r = registry(secret);
      for (let offset = 0; offset < 3; offset++) {
        const bytes = Buffer.concat([
          Buffer.from('xyz'.slice(0, offset)),
          Buffer.from(secret),
          Buffer.from('!'),
        ]);
        for (const encoding of ['base64', 'base64url'] as const) {
          const encoded = bytes.toString(encoding);
          const core = encoded.slice(Math.ceil((offset * 8) / 6), -4);
          expect(r.redact(`v=${encoded};`)).not.toContain(core);
          expect(r.redact(`v=${encoded.slice(0, Math.ceil(encoded.length * 0.75))};`)).toContain(
            '[redacted]',
          );
        }
      }
    },
  );

  it('forgets every spelling of a forgotten secret, and keeps finding the others, however many come and go', () => {
    const r = new SecretRegistry(50);
    const kept = 'kept-secret-0123456789';
    for (let i = 0; i < 3000; i++) {
      r.learn(kept);
      r.learn(`passing-secret-${i}-${'x'.repeat(i % 7)}`);
    }
    const spellings = (secret: string) => [secret, Buffer.from(secret).toString('base64')];
    // They all start alike, so they share one place in the index.
    for (const text of spellings('passing-secret-0-')) expect(r.redact(text)).toBe(text);
    for (const text of spellings('passing-secret-2999-xxx')) expect(r.redact(text)).toMatch(/^\[redacted\]/);
    for (const text of spellings(kept)) expect(r.redact(text)).toMatch(/^\[redacted\].{0,4}$/);
    expect(r.size).toBe(50);
  });

  it('ignores values too short to redact safely', () => {
    expect(registry('abc12').redact('abc12 abc12')).toBe('abc12 abc12');
  });

  it('is bounded: the least recently learned secrets are forgotten, pinned ones never', () => {
    const r = new SecretRegistry(100);
    r.pin('pinned-config-secret');
    r.learn('first-learned-token');
    for (let i = 0; i < 200; i++) r.learn(`token-number-${i}-xxxxxxxx`);
    expect(r.size).toBe(101);
    expect(r.redact('first-learned-token')).toBe('first-learned-token');
    expect(r.redact('pinned-config-secret token-number-199-xxxxxxxx')).toBe('[redacted] [redacted]');
  });

  it('keeps a secret that is learned again (used) while others come and go', () => {
    const r = new SecretRegistry(10);
    r.learn('hot-session-token');
    for (let i = 0; i < 50; i++) {
      r.learn(`cold-token-${i}-xxxxxxxx`);
      r.learn('hot-session-token');
    }
    expect(r.redact('hot-session-token')).toBe('[redacted]');
  });

  it('scans a 64 KiB body in a few milliseconds with thousands of secrets known', () => {
    const r = new SecretRegistry(4096);
    for (let i = 0; i < 4096; i++) r.learn(`tok_${i.toString(36)}_${'q'.repeat(40)}${i}`);
    const body = JSON.stringify({
      items: Array.from({ length: 1500 }, (_, i) => ({ id: i, name: `item ${i}` })),
    });
    expect(body.length).toBeGreaterThan(30_000);
    r.redact(body);
    const started = performance.now();
    for (let i = 0; i < 10; i++) r.redact(body);
    expect((performance.now() - started) / 10).toBeLessThan(20);
  });
});

describe('redactDeep (tool results)', () => {
  const session = 'ses-access-token-0123456789';
  secretRegistry.learn(session);

  it('redacts every string and key of a result, however deep', () => {
    const out = redactDeep({ json: { [session]: [{ echo: `Bearer ${session}` }] } });
    expect(JSON.stringify(out)).not.toContain(session);
  });

  it("with exposeTokens keeps only the session and client views' raw-token fields", () => {
    const result = {
      session: { access_token: session, scope: session },
      sessions: [{ refresh_token: session }],
      client_secret: session,
      json: { access_token: session },
    };
    expect(redactDeep(result, { exposeTokens: true })).toEqual({
      session: { access_token: session, scope: '[redacted]' },
      sessions: [{ refresh_token: session }],
      client_secret: session,
      json: { access_token: '[redacted]' },
    });
    expect(JSON.stringify(redactDeep(result))).not.toContain(session);
  });
});

describe('secrets made of parts', () => {
  it("pins a PEM private key's lines and a JWK's private members, and finds them JSON-escaped", () => {
    const line = 'MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7';
    pinSecret(`-----BEGIN PRIVATE KEY-----\n${line}\n-----END PRIVATE KEY-----\n`);
    pinSecret(JSON.stringify({ kty: 'EC', crv: 'P-256', x: 'public-x', d: 'private-d-0123456789abcdef' }));
    expect(redactSecrets(`{"pem":"-----BEGIN PRIVATE KEY-----\\n${line}\\n"}`)).not.toContain(line);
    expect(redactSecrets('d=private-d-0123456789abcdef')).toBe('d=[redacted]');
  });

  it('learns the private members of a JWK held in a record', () => {
    learnSecretsOf({ dpop_key: { kty: 'EC', x: 'public-x-coordinate', d: 'dpop-private-d-9876543210' } });
    expect(redactSecrets('dpop-private-d-9876543210 public-x-coordinate')).toBe(
      '[redacted] public-x-coordinate',
    );
  });
});
