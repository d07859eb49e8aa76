// A secret sent on in base64url (JWT parts, PKCE, many APIs' encodings) is redacted like its base64 form:
// the URL-safe alphabet (- and _ for + and /) at every byte alignment.

import { describe, expect, it } from 'vitest';
import { SecretRegistry } from '../../src/secrets/index.js';

/** Bytes whose base64 is full of + and /, so its base64url spelling differs from it in many places. */
const SECRET = '~~~???>>>~~~???>>>~~~???>>>secret-tail';

function learned(secret: string): SecretRegistry {
  const registry = new SecretRegistry();
  registry.learn(secret);
  return registry;
}

describe('redaction of base64url', () => {
  it('has a secret whose base64 and base64url spellings differ', () => {
    const base64 = Buffer.from(SECRET).toString('base64');
    expect(base64).toMatch(/[+/]/);
    expect(Buffer.from(SECRET).toString('base64url')).not.toBe(base64.replace(/=+$/, ''));
  });

  it.each([0, 1, 2])('redacts the base64url of a secret after %i other bytes', (offset) => {
    const encoded = Buffer.concat([Buffer.alloc(offset, 0x41), Buffer.from(SECRET)]).toString('base64url');
    const out = learned(SECRET).redact(`value=${encoded}`);
    expect(out).toContain('[redacted]');
    // Nothing of the encoded secret that is longer than an alignment's worth of characters is left.
    const core = encoded.slice(Math.ceil((offset * 8) / 6) + 1, -2);
    for (let i = 0; i + 12 <= core.length; i++) expect(out).not.toContain(core.slice(i, i + 12));
  });

  it('redacts the base64 spelling too, and leaves text without the secret alone', () => {
    const registry = learned(SECRET);
    expect(registry.redact(Buffer.from(SECRET).toString('base64'))).toContain('[redacted]');
    const unrelated = Buffer.from('~~~???>>>~~~ nothing secret here at all').toString('base64url');
    expect(registry.redact(unrelated)).toBe(unrelated);
  });
});
