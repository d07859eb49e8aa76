// API origins belong to providers: a provider's token goes only to its own `apiOrigins`, or to the shared
// `api.allowedOrigins` when it lists none; an origin one provider claims is closed to every other.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LoopbackApi, startLoopbackApi } from '../api/loopback-api.js';
import { useAuthorizationServer } from '../helpers/authorization-server.js';
import { type InProcessServer, startInProcess } from '../helpers/in-process-server.js';

const as = useAuthorizationServer();

describe('API origins per provider', () => {
  let apiX: LoopbackApi;
  let apiY: LoopbackApi;
  let shared: LoopbackApi;
  let server: InProcessServer;

  beforeAll(async () => {
    [apiX, apiY, shared] = await Promise.all([
      startLoopbackApi(undefined),
      startLoopbackApi(undefined),
      startLoopbackApi(undefined),
    ]);
    const { clientId, clientSecret } = as().clients.confidential;
    const client = { issuer: as.issuer, clientId, clientSecret };
    server = await startInProcess({
      providers: {
        x: { ...client, apiOrigins: [apiX.origin] },
        y: { ...client, apiOrigins: [apiY.origin] },
        z: client,
      },
      api: { allowedOrigins: [shared.origin, apiX.origin] },
    });
    for (const provider of ['x', 'y', 'z']) {
      const result = await server.call('oauth_client_credentials', { provider });
      expect(result.isError, result.content[0]?.text).toBeFalsy();
    }
  });
  afterAll(async () => {
    await server?.close();
    await Promise.all([apiX, apiY, shared].map((api) => api?.close()));
  });

  const call = (provider: string, api: LoopbackApi) =>
    server.call('oauth_call_api', { provider, url: `${api.origin}/collect` });
  const received = (api: LoopbackApi) => api.requests.map((request) => request.authorization);

  it.each([
    ['x', () => apiX],
    ['y', () => apiY],
    ['z', () => shared],
  ])("sends provider %s's token to its own API origin", async (provider, api) => {
    const before = api().requests.length;
    const result = await call(provider, api());
    expect(result.isError, result.content[0]?.text).toBeFalsy();
    expect(api().requests.length).toBe(before + 1);
    expect(api().requests.at(-1)?.authorization).toMatch(/^Bearer .+/);
  });

  it.each([
    ['x', 'y', () => apiY],
    ['y', 'x', () => apiX],
    ['x', 'the shared list (x has its own)', () => shared],
    ['z', 'x (claimed by x, though also in the shared list)', () => apiX],
    ['z', 'y', () => apiY],
  ])("never sends provider %s's token to the API of %s", async (provider, _owner, api) => {
    const before = received(api());
    const result = await call(provider, api());
    expect(result.isError).toBe(true);
    expect(result.structuredContent?.error).toMatchObject({ code: 'forbidden' });
    expect(result.structuredContent?.error.message).toContain(
      `is not an API origin of provider "${provider}"`,
    );
    expect(received(api())).toEqual(before);
  });
});
