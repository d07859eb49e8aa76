// The one request-handler policy of our listeners (src/net/request-handler.ts): whatever a handler throws,
// synchronously or later, the request is answered or its connection dropped and the listener keeps serving.

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { guardedRequestHandler } from '../../src/net/request-handler.js';

let server: Server | undefined;
afterEach(async () => {
  await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
  server?.closeAllConnections();
});

async function serve(handler: Parameters<typeof guardedRequestHandler>[0], errors: unknown[]) {
  server = createServer(guardedRequestHandler(handler, (error) => errors.push(error)));
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('guardedRequestHandler', () => {
  it('answers 500 when the handler throws, reports the error, and serves the next request', async () => {
    const errors: unknown[] = [];
    const url = await serve((req, res) => {
      if (req.url === '/throw') throw new TypeError("Cannot read properties of null (reading 'port')");
      res.end('ok');
    }, errors);
    expect((await fetch(`${url}/throw`)).status).toBe(500);
    expect(errors).toHaveLength(1);
    expect(await (await fetch(`${url}/fine`)).text()).toBe('ok');
  });

  it('answers 500 when the handler rejects, and drops only the connection once the answer began', async () => {
    const errors: unknown[] = [];
    const url = await serve(async (req, res) => {
      if (req.url === '/late') {
        res.writeHead(200).write('partial');
        throw new Error('failed mid-answer');
      }
      if (req.url === '/reject') throw new Error('failed before answering');
      res.end('ok');
    }, errors);
    expect((await fetch(`${url}/reject`)).status).toBe(500);
    await expect(fetch(`${url}/late`).then((r) => r.text())).rejects.toThrow();
    expect(errors).toHaveLength(2);
    expect(await (await fetch(`${url}/fine`)).text()).toBe('ok');
  });

  it('survives an error reporter that throws', async () => {
    server = createServer(
      guardedRequestHandler(
        () => {
          throw new Error('handler');
        },
        () => {
          throw new Error('reporter');
        },
      ),
    );
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    expect((await fetch(url)).status).toBe(500);
    expect((await fetch(url)).status).toBe(500);
  });
});
