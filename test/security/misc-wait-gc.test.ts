// A sign-in wait ends when wait_seconds is over even while the garbage collector runs: on Node 20 an
// AbortSignal.timeout() referenced only by AbortSignal.any() is collected and never fires (nodejs/node#57736).

import { resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { useAuthorizationServer } from '../helpers/authorization-server.js';
import { type ServerProcess, startServerProcess } from '../helpers/mcp-server-process.js';
import { data } from '../sign-in/harness.js';

const COLLECT = resolve(import.meta.dirname, 'fixtures/collect-garbage.mjs');

let mcp: ServerProcess | undefined;
afterEach(async () => {
  await mcp?.close();
  mcp = undefined;
});

describe('a sign-in wait under constant garbage collection', () => {
  const as = useAuthorizationServer();

  const start = () =>
    startServerProcess({
      nodeArgs: ['--expose-gc', '--import', COLLECT],
      config: {
        providers: {
          work: { issuer: as.issuer, ...as().clients.confidential, scopes: ['openid', 'offline_access'] },
        },
      },
    });

  for (const flow of ['device_code', 'authorization_code'] as const) {
    it(`returns pending after wait_seconds when continuing a ${flow} flow nobody finishes`, async () => {
      mcp = await start();
      const started = data(await mcp.call('oauth_authenticate_user', { flow, wait_seconds: 0 }));
      expect(started.status).toBe('pending');
      const began = Date.now();
      const waited = data(
        await mcp.call('oauth_authenticate_user', { flow_id: started.flow_id, wait_seconds: 2 }),
      );
      expect(waited.status).toBe('pending');
      expect(Date.now() - began).toBeGreaterThanOrEqual(1900);
      expect(Date.now() - began).toBeLessThan(8000);
    }, 20_000);
  }
});
