// Issue 10 item 7: a hostile API echoes the session's access token back JSON-escaped (\/, \u002f, every
// char escaped), percent-encoded, in a header, in binary, or cut by max_body_bytes one character short.
// Not a fragment of 8 characters of it may reach the client or stderr, however it is spelt.

import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LoopbackApi, startLoopbackApi } from '../api/loopback-api.js';
import {
  everything,
  type HostileAuthorizationServer,
  leakedFragments,
  startHostileAuthorizationServer,
} from '../helpers/hostile-authorization-server.js';
import { type ServerProcess, startServerProcess, type ToolResult } from '../helpers/mcp-server-process.js';

const PAD = 5_000;
const issued: string[] = [];

const tokenOf = (authorization: string | undefined) => authorization?.replace(/^Bearer /, '') ?? '';
const slashEscaped = (token: string) => token.replace(/\//g, '\\/');
const allEscaped = (token: string) =>
  [...token].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).join('');

describe('oauth_call_api against an API that echoes the token', () => {
  let as: HostileAuthorizationServer;
  let api: LoopbackApi;
  let server: ServerProcess;
  let token: string;

  beforeAll(async () => {
    as = await startHostileAuthorizationServer({
      token: () => {
        // base64 (not base64url): the token holds "/" and "+", which JSON and URLs escape
        const accessToken = `at/${randomBytes(30).toString('base64')}/end+${randomBytes(6).toString('hex')}`;
        issued.push(accessToken);
        return { body: { access_token: accessToken, token_type: 'Bearer', expires_in: 3600 } };
      },
    });
    api = await startLoopbackApi(undefined, {
      '/json-escaped': (_req, res, seen) => {
        const t = tokenOf(seen.authorization);
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(
          `{"slash":"${slashEscaped(t)}","u":"${t.replace(/\//g, '\\u002f')}","all":"${allEscaped(t)}","nested":"${JSON.stringify(JSON.stringify(t)).slice(1, -1)}"}`,
        );
      },
      '/text-escaped': (_req, res, seen) => {
        const t = tokenOf(seen.authorization);
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end(
          `slash=${slashEscaped(t)} upper=${t.replace(/\//g, '\\u002F')} all=${allEscaped(t)} pct=${encodeURIComponent(t)} twice=${encodeURIComponent(encodeURIComponent(t))} html=${t.replace(/\//g, '&#x2F;')}`,
        );
      },
      '/header-echo': (_req, res, seen) => {
        const t = tokenOf(seen.authorization);
        res.writeHead(200, {
          'content-type': 'text/plain',
          'x-echo-encoded': encodeURIComponent(t),
          'x-echo-escaped': slashEscaped(t),
        });
        res.end('ok');
      },
      '/cut': (_req, res, seen) => {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end(`${'x'.repeat(PAD)}${tokenOf(seen.authorization)} and more after it`);
      },
      '/cut-json': (_req, res, seen) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(
          `{"pad":"${'x'.repeat(PAD)}","token":"${slashEscaped(tokenOf(seen.authorization))}","more":1}`,
        );
      },
      '/binary': (_req, res, seen) => {
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        res.end(
          Buffer.concat([
            Buffer.from([0, 1, 2]),
            Buffer.from(tokenOf(seen.authorization)),
            Buffer.from([255]),
          ]),
        );
      },
    });
    server = await startServerProcess({
      config: {
        providers: {
          hostile: { issuer: as.issuer, clientId: 'machine', clientSecret: 'machine-secret-0123456789' },
        },
        defaultProvider: 'hostile',
        api: { allowedOrigins: [api.origin] },
      },
    });
    const signedIn = await server.call('oauth_client_credentials', {});
    expect(signedIn.isError).toBeFalsy();
    token = issued.at(-1) as string;
    expect(token).toMatch(/\//);
  });
  afterAll(async () => {
    await server?.close();
    await api?.close();
    await as?.close();
  });

  /** Every byte returned (text and structured content, base64 decoded) and logged, checked for fragments. */
  function expectNoFragment(result: ToolResult): string {
    expect(result.isError).toBeFalsy();
    const binary = result.structuredContent.body_base64
      ? Buffer.from(result.structuredContent.body_base64, 'base64').toString('latin1')
      : '';
    const returned = everything(result, binary);
    expect(leakedFragments(`${returned}\n${server.stderr()}`, token)).toEqual([]);
    return returned;
  }

  it.each([
    ['JSON with \\/, \\u002f, every char escaped and a JSON string inside JSON', '/json-escaped'],
    ['text with JSON, percent and HTML escapes', '/text-escaped'],
    ['response headers', '/header-echo'],
    ['a binary body', '/binary'],
  ])('redacts the token echoed in %s', async (_name, path) => {
    const result = await server.call('oauth_call_api', { url: `${api.origin}${path}` });
    expect(expectNoFragment(result)).toContain('[redacted]');
  });

  it('redacts before it cuts: a body cut one character short of the end of the token', async () => {
    const result = await server.call('oauth_call_api', {
      url: `${api.origin}/cut`,
      max_body_bytes: PAD + token.length - 1,
    });
    expect(result.structuredContent.truncated).toBe(true);
    expectNoFragment(result);
  });

  it.each([2, 9, 20])(
    'leaves no prefix of a JSON-escaped token cut %i bytes before its end',
    async (short) => {
      const before = `{"pad":"${'x'.repeat(PAD)}","token":"`.length;
      const result = await server.call('oauth_call_api', {
        url: `${api.origin}/cut-json`,
        max_body_bytes: before + slashEscaped(token).length - short,
      });
      expect(result.structuredContent.truncated).toBe(true);
      expectNoFragment(result);
    },
  );

  it('keeps a body that holds no secret as it was', async () => {
    const result = await server.call('oauth_call_api', { url: `${api.origin}/cut`, max_body_bytes: 100 });
    expect(result.structuredContent.body).toBe('x'.repeat(100));
  });
});
