// The redis store's codec on its own: names are keyed MACs every instance derives alike, values and index
// entries open only with their key, place and version, and whatever is not ours is refused saying so.

import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { newKdfHeader, parseKdfHeader, RedisValueCodec } from '../../src/store/redis-store-codec.js';
import { deriveKey, seal } from '../../src/store/sealing.js';
import { UnreadableValueError } from '../../src/store/token-store.js';

const WHERE = 'redis://127.0.0.1:6379';
const PASSPHRASE = 'codec test passphrase';
const header = newKdfHeader();
const codec = new RedisValueCodec(PASSPHRASE, header, WHERE);

async function refusal(promise: Promise<unknown>): Promise<UnreadableValueError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(UnreadableValueError);
  expect((error as UnreadableValueError).code).toBe('store_unavailable');
  return error as UnreadableValueError;
}

describe('the KDF header', () => {
  it('names AES-256-GCM, scrypt and a fresh 16-byte salt, and reads back as written', () => {
    expect(header).toMatchObject({ alg: 'aes-256-gcm', kdf: { name: 'scrypt', N: 16_384, r: 8, p: 1 } });
    expect(Buffer.from(header.salt, 'base64')).toHaveLength(16);
    expect(newKdfHeader().salt).not.toBe(header.salt);
    expect(parseKdfHeader(JSON.stringify(header), WHERE)).toEqual(header);
  });

  it.each([
    ['not JSON', '{', 'the key header is not JSON'],
    [
      'another algorithm',
      JSON.stringify({ ...header, alg: 'aes-128-gcm' }),
      'the key header names an unknown algorithm',
    ],
    [
      'no salt',
      JSON.stringify({ alg: header.alg, kdf: header.kdf }),
      'the key header names an unknown algorithm',
    ],
  ])('refuses a header that is %s, naming the store and what to do', (_name, text, why) => {
    expect(() => parseKdfHeader(text, WHERE)).toThrow(
      `The redis store ${WHERE} holds data oauth-mcp cannot read (${why}); was it written by another program? Use another database or key prefix, or delete the oauth-mcp keys and sign in again.`,
    );
  });
});

describe('names', () => {
  it('are a 32-character base64url HMAC of the part under a key derived from the store key', async () => {
    const sealKey = await deriveKey(PASSPHRASE, Buffer.from(header.salt, 'base64'));
    const names = createHmac('sha256', sealKey).update('oauth-mcp-redis names').digest();
    const expected = createHmac('sha256', names).update('session:ses_1').digest('base64url').slice(0, 32);
    expect(await codec.name('session:ses_1')).toBe(expected);
  });

  it('are the same in every instance with the key, and others with another key or salt', async () => {
    const same = new RedisValueCodec(PASSPHRASE, header, WHERE);
    expect(await same.name('flowstate:abc')).toBe(await codec.name('flowstate:abc'));
    expect(await codec.name('flowstate:abd')).not.toBe(await codec.name('flowstate:abc'));
    const otherKey = new RedisValueCodec('another passphrase here', header, WHERE);
    expect(await otherKey.name('flowstate:abc')).not.toBe(await codec.name('flowstate:abc'));
    const otherSalt = new RedisValueCodec(PASSPHRASE, newKdfHeader(), WHERE);
    expect(await otherSalt.name('flowstate:abc')).not.toBe(await codec.name('flowstate:abc'));
  });
});

describe('values', () => {
  it('open with their key and version only', async () => {
    const sealed = await codec.seal('session:a', 'v1', 'tokens');
    expect(JSON.parse(sealed)).toMatchObject({ v: 2 });
    expect(sealed).not.toContain('tokens');
    expect(await codec.open('session:a', 'v1', sealed)).toBe('tokens');
    const other = await refusal(codec.open('session:b', 'v1', sealed));
    expect(other.message).toBe(
      `The store key does not decrypt the value of session:b in ${WHERE}, or it was written back from an older copy; give every instance the same store.key / OAUTH_MCP_STORE_KEY that wrote it, or sign in again.`,
    );
    await refusal(codec.open('session:a', 'v2', sealed));
    await refusal(
      new RedisValueCodec('another passphrase here', header, WHERE).open('session:a', 'v1', sealed),
    );
  });

  it.each([
    ['not JSON', 'not json'],
    ['JSON null', 'null'],
    ['of another version', JSON.stringify({ v: 1, iv: 'a', tag: 'b', data: 'c' })],
    ['missing a part', JSON.stringify({ v: 2, iv: 'a', tag: 'b' })],
    ['with a part that is not a string', JSON.stringify({ v: 2, iv: 'a', tag: 1, data: 'c' })],
  ])('refuses a value that is %s as not a sealed value', async (_name, text) => {
    const error = await refusal(codec.open('session:a', 'v1', text));
    expect(error.message).toContain('(the value of session:a is not a sealed value)');
  });

  it('reads a value of the first layout, sealed with its key alone', async () => {
    const sealKey = await deriveKey(PASSPHRASE, Buffer.from(header.salt, 'base64'));
    const first = JSON.stringify({
      v: 1,
      ...seal(sealKey, Buffer.from('oauth-mcp-redis:v1:session:old'), 'old'),
    });
    expect(await codec.openFirstLayout('session:old', first)).toBe('old');
    expect((await refusal(codec.openFirstLayout('session:other', first))).message).toContain(
      'does not decrypt the value of session:other',
    );
    await refusal(codec.openFirstLayout('session:old', await codec.seal('session:old', 'v', 'x')));
  });
});

describe('index entries', () => {
  it('open in their own field only, and keep the key, version and expiry', async () => {
    const entry = { key: 'u:a:flow:f', version: 'v9', expiresAt: 1_900_000_000_000 };
    const sealed = await codec.sealIndex('field-1', entry);
    expect(await codec.openIndex('field-1', sealed)).toEqual(entry);
    expect((await refusal(codec.openIndex('field-2', sealed))).message).toContain(
      'does not decrypt an index entry',
    );
    // An index entry does not open as a value, nor a value as an index entry.
    await refusal(codec.open('field-1', 'v9', sealed));
    await refusal(codec.openIndex('field-1', await codec.seal('field-1', 'v9', JSON.stringify(entry))));
  });

  it.each([
    ['no key', { version: 'v' }],
    ['no version', { key: 'k' }],
    ['a key that is not a string', { key: 1, version: 'v' }],
    ['an expiry that is not a number', { key: 'k', version: 'v', expiresAt: 'soon' }],
  ])('refuses an entry with %s', async (_name, entry) => {
    const sealed = await codec.sealIndex('f', entry as never);
    expect((await refusal(codec.openIndex('f', sealed))).message).toContain(
      '(an index entry has no key and version)',
    );
  });

  it('refuses an entry that is not JSON inside its seal', async () => {
    const sealKey = await deriveKey(PASSPHRASE, Buffer.from(header.salt, 'base64'));
    const text = JSON.stringify({
      v: 2,
      ...seal(sealKey, Buffer.from('oauth-mcp-redis:v2:index:f'), 'not json'),
    });
    await refusal(codec.openIndex('f', text));
  });
});

describe('the key check', () => {
  it('opens with the key that wrote it, and fails with another', async () => {
    const check = await codec.keyCheck();
    await expect(codec.verifyKeyCheck(check)).resolves.toBeUndefined();
    const wrong = await refusal(
      new RedisValueCodec('another passphrase here', header, WHERE).verifyKeyCheck(check),
    );
    expect(wrong.message).toContain(`The store key does not decrypt the key check in ${WHERE}`);
    expect(wrong.message).toContain('OAUTH_MCP_STORE_KEY');
  });

  it('refuses a check that holds another text', async () => {
    const sealKey = await deriveKey(PASSPHRASE, Buffer.from(header.salt, 'base64'));
    const text = JSON.stringify({
      v: 2,
      ...seal(sealKey, Buffer.from('oauth-mcp-redis:v2:key check'), 'something else'),
    });
    expect((await refusal(codec.verifyKeyCheck(text))).message).toContain(
      '(the key check holds another text)',
    );
  });
});
