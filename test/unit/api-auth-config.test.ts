// Config of key-based clients, DPoP and apiAuth, and the WWW-Authenticate reading that decides refreshes.

import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseChallenges, rejectionWantsRefresh } from '../../src/auth/api/token-rejection.js';
import type { StoredSession } from '../../src/auth/repository/records.js';
import { parseConfig } from '../../src/config/index.js';
import { thrownMessage } from '../helpers/thrown.js';

const pem = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  .privateKey.export({ format: 'pem', type: 'pkcs8' })
  .toString();

describe('config: private_key_jwt, dpop, apiAuth', () => {
  it('accepts a PKCS#8 PEM from ${VAR}, dpop and apiAuth per provider and per origin', () => {
    const config = parseConfig(
      {
        providers: {
          m: {
            issuer: 'https://auth.example.com',
            clientId: 'm',
            tokenEndpointAuthMethod: 'private_key_jwt',
            clientPrivateKey: '${M_KEY}',
            dpop: true,
            apiAuth: { scheme: '' },
          },
        },
        api: {
          allowedOrigins: ['https://api.example.com'],
          apiAuth: { 'https://api.example.com': { scheme: 'token', header: 'X-Token' } },
        },
      },
      { M_KEY: pem },
    );
    expect(config.providers.m).toMatchObject({ clientPrivateKey: pem, dpop: true, apiAuth: { scheme: '' } });
  });

  it('refuses a key that is not a private key without echoing it, and bad apiAuth values', () => {
    const secretish = 'definitely-not-a-key-but-secret-1234';
    const message = thrownMessage(() =>
      parseConfig(
        {
          providers: {
            m: {
              issuer: 'https://auth.example.com',
              clientPrivateKey: secretish,
              apiAuth: { scheme: 'two words', header: 'Content-Length' },
            },
          },
        },
        {},
      ),
    );
    expect(message).toMatch(/providers\.m\.clientPrivateKey: not a private key/);
    expect(message).toMatch(/providers\.m\.apiAuth\.scheme/);
    expect(message).toMatch(/providers\.m\.apiAuth\.header/);
    expect(message).not.toContain(secretish);
  });
});

describe('WWW-Authenticate', () => {
  const session = (secondsLeft: number) =>
    ({ expires_at: new Date(Date.now() + secondsLeft * 1000).toISOString() }) as StoredSession;

  it('reads schemes and parameters, quoted or not, of several challenges', () => {
    expect(
      parseChallenges(
        'Bearer realm="api, v2", error="invalid_token", DPoP algs="ES256 RS256", error=use_dpop_nonce',
      ),
    ).toEqual([
      { scheme: 'bearer', parameters: { realm: 'api, v2', error: 'invalid_token' } },
      { scheme: 'dpop', parameters: { algs: 'ES256 RS256', error: 'use_dpop_nonce' } },
    ]);
    expect(parseChallenges('Bearer')).toEqual([{ scheme: 'bearer', parameters: {} }]);
    expect(parseChallenges('"garbage')).toEqual([]);
  });

  it('refreshes after a 401 only for invalid_token or a token near expiry', () => {
    expect(rejectionWantsRefresh(session(3000), parseChallenges('Bearer realm="api"'))).toBe(false);
    expect(rejectionWantsRefresh(session(3000), [])).toBe(false);
    expect(rejectionWantsRefresh(session(3000), parseChallenges('Bearer error="invalid_token"'))).toBe(true);
    expect(rejectionWantsRefresh(session(100), parseChallenges('Bearer realm="api"'))).toBe(true);
  });
});
