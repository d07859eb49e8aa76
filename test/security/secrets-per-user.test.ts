// Issue 23 items 1-3, in process: what one caller pastes is a secret for that caller only; a call's
// secrets stay known while it runs whatever others learn; a caller never learns from redaction whether
// a string they sent is a secret of the process. (The same attacks through the built binary in HTTP mode
// are in secrets-http-users.test.ts.)

import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  learnPastedSecret,
  learnSecret,
  learnSecretsOf,
  pinSecret,
  redactCut,
  redactDeep,
  redactLogLine,
  redactSecrets,
  SecretRegistry,
  withSecretScope,
} from '../../src/secrets/index.js';

const token = () => randomBytes(24).toString('base64url');
const as = (owner: string, input: unknown = {}) => ({
  run: <T>(fn: () => T) => withSecretScope(owner, input, async () => fn()),
});

describe('a pasted value is a secret for the caller who pasted it', () => {
  it("redacts it in the paster's output and the logs, and nowhere else", async () => {
    const pasted = `https://issuer-${token()}.example`;
    await as('alice').run(() => learnPastedSecret(pasted));
    expect(await as('alice').run(() => redactSecrets(`issuer ${pasted}`))).toBe('issuer [redacted]');
    expect(await as('bob').run(() => redactSecrets(`issuer ${pasted}`))).toBe(`issuer ${pasted}`);
    expect(redactLogLine(`issuer ${pasted}`)).toBe('issuer [redacted]');
  });

  it("never redacts a tool result's keys, even for the caller who pasted one as a token", async () => {
    await as('alice').run(() => learnPastedSecret('access_token_sha256'));
    const result = { session: { access_token_sha256: '0123456789abcdef' } };
    expect(await as('alice').run(() => redactDeep(result, { keepKeys: true }))).toEqual(result);
  });

  it('keeps redacting what an authorization server issued for every caller', async () => {
    const issued = token();
    await as('alice').run(() => learnSecret(issued));
    expect(await as('bob').run(() => redactSecrets(issued))).toBe('[redacted]');
  });
});

describe('the start link handle (item 14)', () => {
  it('is shown to its owner, and redacted for every other caller and in the logs', async () => {
    const handle = token();
    const link = `https://mcp.example.test/oauth/start/${handle}`;
    await as('alice').run(() => learnSecretsOf({ data: { start_handle: handle, start_url: link } }));
    expect(await as('alice').run(() => redactSecrets(link))).toBe(link);
    expect(await as('bob').run(() => redactSecrets(link))).toBe(
      'https://mcp.example.test/oauth/start/[redacted]',
    );
    expect(redactLogLine(`open ${link}`)).toBe('open https://mcp.example.test/oauth/start/[redacted]');
  });
});

describe("a call's secrets stay known while it runs", () => {
  it("does not let one user's flood push out another's token, in flight or not", async () => {
    const registry = new SecretRegistry({ capacity: 4096, perPrincipal: 64 });
    const bobs = token();
    const held = registry.learn(bobs, 'bob');
    if (!held) throw new Error('not learned');
    registry.hold(held);
    for (let i = 0; i < 4300; i++) registry.learn(token(), 'alice', 'owner');
    for (let i = 0; i < 4300; i++) registry.learn(token(), 'alice');
    expect(registry.redact(`echo ${bobs}`, { owner: 'bob' })).toBe('echo [redacted]');
    registry.release(held);
    expect(registry.redact(`echo ${bobs}`, { owner: 'bob' })).toBe('echo [redacted]');
  });

  it('stays bounded when many users flood at once, each losing only their own oldest', async () => {
    const registry = new SecretRegistry({ capacity: 4096, perPrincipal: 64, total: 256 });
    const bobs = token();
    registry.learn(bobs, 'bob');
    for (let user = 0; user < 20; user++) {
      for (let i = 0; i < 64; i++) registry.learn(token(), `flooder-${user}`);
    }
    expect(registry.size).toBeLessThanOrEqual(256);
    expect(registry.redact(bobs, { owner: 'bob' })).toBe('[redacted]');
  });

  it('past the total, forgets the oldest secret of whoever holds the most at that moment', () => {
    const registry = new SecretRegistry({ capacity: 100, perPrincipal: 100, total: 5 });
    const [a0, a1, a2, a3, b0, b1, b2, c0] = Array.from({ length: 8 }, token);
    for (const t of [a0, a1, a2, a3]) registry.learn(t, 'alice');
    registry.learn(b0, 'bob');
    registry.learn(c0, 'carol'); // alice holds 4: she loses a0
    registry.learn(b1, 'bob'); // alice holds 3: she loses a1
    registry.learn(b2, 'bob'); // bob holds 3, alice 2: he loses b0
    const known = (t: string | undefined) => registry.redact(t ?? '') === '[redacted]';
    expect([a0, a1, b0].map(known)).toEqual([false, false, false]);
    expect([a2, a3, b1, b2, c0].map(known)).toEqual([true, true, true, true, true]);
  });

  it('keeps a secret a call read until the call ends, even past its own quota', async () => {
    const registry = new SecretRegistry({ capacity: 8, perPrincipal: 8 });
    const used = token();
    const entry = registry.learn(used, 'bob');
    if (!entry) throw new Error('not learned');
    registry.hold(entry);
    for (let i = 0; i < 100; i++) registry.learn(token(), 'bob');
    expect(registry.redact(used, { owner: 'bob' })).toBe('[redacted]');
    registry.release(entry);
    expect(registry.redact(used, { owner: 'bob' })).toBe(used);
  });
});

describe('redaction is no oracle', () => {
  const configSecret = `cfg-${token()}`;
  pinSecret(configSecret);

  it('gives the caller back what they sent, whether or not it is a secret of the process', async () => {
    for (const guess of [configSecret, `cfg-${token()}`]) {
      const input = { body: `guess=${guess}` };
      const echoed = await as('mallory', input).run(() => redactSecrets(`the API said: guess=${guess}`));
      expect(echoed).toBe(`the API said: guess=${guess}`);
    }
  });

  it('answers the same to more than half of a secret, and still hides the rest of it', async () => {
    const half = configSecret.slice(0, Math.ceil(configSecret.length * 0.6));
    const input = { body: half };
    expect(await as('eve', input).run(() => redactSecrets(`"${half}"`))).toBe(`"${half}"`);
    expect(await as('eve').run(() => redactSecrets(`echo ${configSecret}`))).toBe('echo [redacted]');
  });

  it('answers the same to the first 8 characters of a secret at a cut, wherever they stood in the input', async () => {
    const start = configSecret.slice(0, 8);
    const input = { body: `x${start}yz` };
    expect(await as('zoe', input).run(() => redactCut(`...x${start}`))).toBe(`...x${start}`);
  });

  it('still redacts a pinned secret for every caller who did not send it, and in the logs', async () => {
    expect(await as('trent').run(() => redactSecrets(`echo ${configSecret}`))).toBe('echo [redacted]');
    expect(redactLogLine(`echo ${configSecret}`)).toBe('echo [redacted]');
  });

  it("redacts a caller's own pasted value even when it is also a secret of the process", async () => {
    const input = { token: configSecret };
    const out = await as('oscar', input).run(() => {
      learnPastedSecret(configSecret);
      return redactSecrets(`echo ${configSecret}`);
    });
    expect(out).toBe('echo [redacted]');
  });
});
