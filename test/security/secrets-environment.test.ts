// Issue 10 item 1: tool arguments are data. A "${VAR}" in oauth_register_client's initial_access_token
// must never read the server's environment (and send it to an issuer the caller names), and the
// answer must not tell whether the variable exists. The config's own ${VAR} references still work.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  everything,
  type HostileAuthorizationServer,
  startHostileAuthorizationServer,
} from '../helpers/hostile-authorization-server.js';
import { type ServerProcess, startServerProcess } from '../helpers/mcp-server-process.js';

const CLOUD_KEY = 'AKIA-cloud-secret-0123456789abcdef';
const STORE_KEY = 'store-key-from-the-environment-0123';
const CONFIG_IAT = 'iat-from-the-config-environment-4567';

describe('oauth_register_client and the environment', () => {
  let as: HostileAuthorizationServer;
  let server: ServerProcess;

  beforeAll(async () => {
    as = await startHostileAuthorizationServer({
      register: ({ seen }) => ({
        status: 201,
        body: {
          client_id: `client-${as.requests.length}`,
          redirect_uris: JSON.parse(seen.body).redirect_uris,
          token_endpoint_auth_method: 'none',
          grant_types: ['authorization_code', 'refresh_token'],
          response_types: ['code'],
        },
      }),
    });
    server = await startServerProcess({
      config: {
        providers: { hostile: { issuer: as.issuer, initialAccessToken: '${CONFIG_IAT}' } },
        defaultProvider: 'hostile',
      },
      env: { CLOUD_KEY, OAUTH_MCP_STORE_KEY: STORE_KEY, CONFIG_IAT },
    });
  });
  afterAll(async () => {
    await server?.close();
    await as?.close();
  });

  /** Never sent anywhere; CONFIG_IAT is sent, but only where the config says. */
  const neverSent = [CLOUD_KEY, STORE_KEY, process.env.PATH ?? 'no-path'];
  const environmentValues = [...neverSent, CONFIG_IAT];

  function expectNothingOfTheEnvironmentSent() {
    for (const request of as.requests) {
      const sent = everything(request.headers, request.body, request.path);
      for (const value of neverSent) expect(sent).not.toContain(value);
    }
  }

  it.each([
    ['a variable that is set', '${CLOUD_KEY}'],
    ['the store key', '${OAUTH_MCP_STORE_KEY}'],
    ['a variable embedded in text', 'Bearer-${CLOUD_KEY}-suffix'],
    ['PATH', '${PATH}'],
  ])('never expands %s, and sends nothing of it to the issuer', async (_name, reference) => {
    const before = as.requests.length;
    const result = await server.call('oauth_register_client', {
      issuer: as.issuer,
      initial_access_token: reference,
    });
    expect(result.isError).toBe(true);
    expect(result.structuredContent.error.code).toBe('invalid_input');
    expect(result.structuredContent.error.message).toContain('initialAccessToken');
    // refused before any request: the issuer was not even asked for its metadata
    expect(as.requests.length).toBe(before);
    expectNothingOfTheEnvironmentSent();
    for (const value of environmentValues) expect(everything(result, server.stderr())).not.toContain(value);
  });

  it('answers the same whether or not the variable exists', async () => {
    const set = await server.call('oauth_register_client', {
      issuer: as.issuer,
      initial_access_token: '${CLOUD_KEY}',
    });
    const unset = await server.call('oauth_register_client', {
      issuer: as.issuer,
      initial_access_token: '${NO_SUCH_VARIABLE_HERE}',
    });
    expect(unset.structuredContent.error).toEqual(set.structuredContent.error);
    expect(unset.content).toEqual(set.content);
  });

  it('sends a literal token as given, and never shows it', async () => {
    const literal = 'literal-initial-access-token-98765';
    const result = await server.call('oauth_register_client', {
      issuer: as.issuer,
      initial_access_token: literal,
      name: 'with-literal-token',
    });
    expect(result.isError).toBeFalsy();
    expect(as.requests.at(-1)?.authorization).toBe(`Bearer ${literal}`);
    expect(everything(result, server.stderr())).not.toContain(literal);
    expectNothingOfTheEnvironmentSent();
  });

  it("uses the provider's initialAccessToken from the config, where ${VAR} is read at start-up", async () => {
    const result = await server.call('oauth_register_client', { provider: 'hostile', name: 'from-config' });
    expect(result.isError).toBeFalsy();
    expect(as.requests.at(-1)?.authorization).toBe(`Bearer ${CONFIG_IAT}`);
    expect(everything(result, server.stderr())).not.toContain(CONFIG_IAT);
  });
});
