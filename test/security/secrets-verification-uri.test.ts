// Issue 10 item 8: a device-flow verification_uri of javascript:, file: or data: (or plain http to
// another host) must never reach the model, the host's URL elicitation or the browser: the sign-in is
// refused with a clear error that does not repeat the URL.

import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { userFacingUrlProblem } from '../../src/auth/sign-in/user-facing-url.js';
import {
  everything,
  type HostileAuthorizationServer,
  startHostileAuthorizationServer,
} from '../helpers/hostile-authorization-server.js';
import { type ElicitedUrl, type ServerProcess, startServerProcess } from '../helpers/mcp-server-process.js';

const HOSTILE_URIS: [string, Record<string, string>][] = [
  ['a javascript: verification_uri', { verification_uri: 'javascript:alert(document.cookie)//' }],
  ['a file: verification_uri', { verification_uri: 'file:///etc/passwd' }],
  [
    'a data: verification_uri_complete',
    {
      verification_uri: 'https://login.example/device',
      verification_uri_complete: 'data:text/html,<script>x</script>',
    },
  ],
  ['an http verification_uri to another host', { verification_uri: 'http://evil.example/device' }],
  ['credentials in the verification_uri', { verification_uri: 'https://user:pw@login.example/device' }],
];

describe('device flow with a hostile verification_uri', () => {
  let as: HostileAuthorizationServer;
  let server: ServerProcess;
  const elicited: ElicitedUrl[] = [];
  let uris: Record<string, string> = {};

  beforeAll(async () => {
    as = await startHostileAuthorizationServer({
      device: () => ({
        body: {
          device_code: randomBytes(24).toString('base64url'),
          user_code: 'WDJB-MJHT',
          expires_in: 600,
          interval: 1,
          ...uris,
        },
      }),
      token: () => ({ status: 400, body: { error: 'authorization_pending' } }),
    });
    server = await startServerProcess({
      config: { providers: { hostile: { issuer: as.issuer, clientId: 'public-device-client' } } },
      onElicitUrl: async (request) => {
        elicited.push(request);
        return 'accept';
      },
    });
  });
  afterAll(async () => {
    await server?.close();
    await as?.close();
  });

  it.each(HOSTILE_URIS)('refuses %s, and neither shows nor elicits it', async (_name, given) => {
    uris = given;
    for (const wait_seconds of [0, 2]) {
      const result = await server.call('oauth_authenticate_user', { flow: 'device_code', wait_seconds });
      expect(result.isError).toBe(true);
      expect(result.structuredContent.error.code).toBe('invalid_response');
      expect(result.structuredContent.error.message).toMatch(/verification_uri.*cannot be shown or opened/);
      const returned = everything(result, server.stderr());
      for (const uri of Object.values(given).filter((u) => !u.startsWith('https://login.example/device'))) {
        expect(returned).not.toContain(uri);
        expect(returned).not.toContain(new URL(uri).href);
      }
    }
    expect(elicited).toEqual([]);
  });

  it('still offers an https verification_uri to the user', async () => {
    uris = { verification_uri: 'https://login.example/device' };
    const result = await server.call('oauth_authenticate_user', { flow: 'device_code', wait_seconds: 1 });
    expect(elicited.map((e) => e.url)).toEqual(['https://login.example/device']);
    expect(result.isError).toBeFalsy();
  });
});

describe('the one policy for URLs shown, elicited or opened', () => {
  it.each([
    ['https://login.example/device?x=1', undefined],
    ['http://127.0.0.1:8080/callback', undefined],
    ['http://[::1]/x', undefined],
    ['http://localhost:3000/', undefined],
  ])('allows %s', (url, problem) => {
    expect(userFacingUrlProblem(url)).toBe(problem);
  });

  it.each([
    'javascript:alert(1)',
    'JavaScript://%0aalert(1)',
    'file:///etc/passwd',
    'data:text/html,hi',
    'vbscript:msgbox',
    'http://10.0.0.1/',
    'http://evil.example/',
    'https://user:pass@login.example/',
    'not a url',
    'https://login.example/ and 9000 more characters',
  ])('refuses %s without repeating it', (label) => {
    const url = label.replace(' and 9000 more characters', 'a'.repeat(9000));
    const problem = userFacingUrlProblem(url);
    expect(problem).toBeTypeOf('string');
    expect(problem).not.toContain(url);
    expect(problem).not.toMatch(/pass@|alert|passwd|10\.0\.0\.1|evil\.example|aaaa/);
  });
});
