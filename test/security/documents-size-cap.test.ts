// Documents without a size cap (issue 23 item 8): a hostile authorization server on 127.0.0.1 answers
// with 64 MB bodies (honest Content-Length, chunked without one, and a small gzip body that inflates to
// 64 MB). Every document oauth-mcp reads is cut off at 1 MiB with an error naming the cap, quickly, and
// the server never gets to send the whole body.

import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type InProcessServer, startInProcess, toolError } from '../helpers/in-process-server.js';

const HUGE = 64 * 1024 * 1024;
const CHUNK = Buffer.alloc(64 * 1024, ' ');
/** 64 MB of JSON whitespace, 64 kB on the wire. */
const BOMB = gzipSync(Buffer.concat([Buffer.from('{"keys":['), Buffer.alloc(HUGE, ' '), Buffer.from(']}')]));

type Shape = 'content-length' | 'chunked' | 'gzip' | 'small';

/** Streams `HUGE` bytes (as `shape` says) until done or until the client hangs up; returns the bytes written. */
async function stream(res: ServerResponse, shape: Shape, status = 200): Promise<number> {
  if (shape === 'small') {
    res.writeHead(status, { 'content-type': 'application/json' }).end('{"keys":[]}');
    return 11;
  }
  if (shape === 'gzip') {
    res
      .writeHead(status, {
        'content-type': 'application/json',
        'content-encoding': 'gzip',
        'content-length': BOMB.length,
      })
      .end(BOMB);
    return BOMB.length;
  }
  res.writeHead(status, {
    'content-type': 'application/json',
    ...(shape === 'content-length' ? { 'content-length': HUGE } : {}),
  });
  let written = 0;
  while (written < HUGE && !res.destroyed) {
    written += CHUNK.length;
    if (!res.write(CHUNK)) {
      await new Promise((resolve) => {
        res.once('drain', resolve);
        res.once('close', resolve);
      });
    }
  }
  res.end();
  return written;
}

interface Hostile {
  origin: string;
  /** How the next oversized answer is shaped, per path. */
  shapes: Record<string, Shape>;
  /** Bytes written per path, once each response ended. */
  written: Record<string, number>;
  close(): Promise<void>;
}

async function startHostile(): Promise<Hostile> {
  const state: Hostile = { origin: '', shapes: {}, written: {}, close: async () => undefined };
  const server: Server = createServer(async (req, res) => {
    const path = (req.url ?? '').split('?')[0] ?? '';
    for await (const _ of req);
    if (path === '/.well-known/openid-configuration') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          issuer: state.origin,
          token_endpoint: `${state.origin}/token`,
          jwks_uri: `${state.origin}/jwks`,
          grant_types_supported: ['client_credentials'],
        }),
      );
      return;
    }
    const shape = state.shapes[path];
    if (!shape && !path.includes('/huge')) {
      res.writeHead(404).end();
      return;
    }
    const status = path === '/token' ? 400 : 200;
    state.written[path] = await stream(res, shape ?? 'chunked', status);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  state.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return state;
}

const CAP_MESSAGE = /larger than 1 MiB \(1048576 bytes\), the most oauth-mcp reads of one document/;

describe('every document read from a server is capped at 1 MiB', () => {
  let hostile: Hostile;
  let server: InProcessServer;

  beforeAll(async () => {
    hostile = await startHostile();
    server = await startInProcess({
      providers: { hostile: { issuer: hostile.origin, clientId: 'c', clientSecret: 's' } },
      defaultProvider: 'hostile',
      network: { allowPrivate: true },
    });
  });
  afterAll(async () => {
    await server?.close();
    await hostile?.close();
  });
  beforeEach(() => {
    hostile.shapes = {};
    hostile.written = {};
  });

  /** Waits until the hostile server's response at `path` has ended (the client hung up or it sent all). */
  const writtenAt = async (path: string) => {
    while (hostile.written[path] === undefined) await new Promise((resolve) => setTimeout(resolve, 20));
    return hostile.written[path];
  };

  it.each([
    ['an honest 64 MB Content-Length', 'content-length'],
    ['64 MB chunked, without a Content-Length', 'chunked'],
  ] as const)('refuses a JWKS with %s, without downloading it', async (_what, shape) => {
    hostile.shapes['/jwks'] = shape;
    const started = Date.now();
    const error = toolError(await server.call('oauth_get_jwks', {}));
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(error.code).toBe('invalid_response');
    expect(error.message).toMatch(CAP_MESSAGE);
    expect(await writtenAt('/jwks')).toBeLessThan(HUGE / 4);
  });

  it('refuses a 64 kB gzip body that inflates to 64 MB (Content-Length says nothing of the document)', async () => {
    hostile.shapes['/jwks'] = 'gzip';
    const started = Date.now();
    const error = toolError(await server.call('oauth_get_jwks', {}));
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(error.message).toMatch(CAP_MESSAGE);
  });

  it('reads a JWKS of normal size from the same server (the key set is then cached)', async () => {
    hostile.shapes['/jwks'] = 'small';
    const result = await server.call('oauth_get_jwks', {});
    expect(result.isError, result.content[0]?.text).toBeFalsy();
  });

  it('refuses an oversized error body from the token endpoint', async () => {
    hostile.shapes['/token'] = 'chunked';
    const error = toolError(await server.call('oauth_client_credentials', {}));
    expect(error.message).toMatch(CAP_MESSAGE);
    expect(await writtenAt('/token')).toBeLessThan(HUGE / 4);
  });

  it('refuses an oversized discovery document', async () => {
    const error = toolError(await server.call('oauth_discover', { issuer: `${hostile.origin}/huge` }));
    expect(error.message).toMatch(CAP_MESSAGE);
    expect(Object.values(hostile.written).every((bytes) => bytes < HUGE / 4)).toBe(true);
  });
});
