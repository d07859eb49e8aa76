// Provider and profile names are the user's: `constructor`, `__proto__`, `toString`, `hasOwnProperty` are
// ordinary names, never Object.prototype members, in the config, the registry, the store and the listing.

import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/index.js';
import { useAuthorizationServer } from '../helpers/authorization-server.js';
import { type ServerProcess, startServerProcess } from '../helpers/mcp-server-process.js';
import { data } from '../sign-in/harness.js';

let mcp: ServerProcess | undefined;
afterEach(async () => {
  await mcp?.close();
  mcp = undefined;
});

describe('names that are Object.prototype members', () => {
  const as = useAuthorizationServer();

  it('works with providers and registered profiles named constructor, __proto__, toString, hasOwnProperty', async () => {
    const work = { issuer: as.issuer, ...as().clients.confidential };
    // A computed key: `{ __proto__: x }` in a literal would set the prototype, not add a provider.
    mcp = await startServerProcess({
      config: { providers: { constructor: work, ['__proto__']: work }, defaultProvider: 'constructor' },
    });
    const registered = data(
      await mcp.call('oauth_register_client', {
        provider: 'constructor',
        name: 'toString',
        client_name: 't',
      }),
    );
    expect(registered.provider).toBe('toString');
    data(
      await mcp.call('oauth_register_client', {
        provider: '__proto__',
        name: 'hasOwnProperty',
        token_endpoint_auth_method: 'client_secret_basic',
        grant_types: ['client_credentials'],
      }),
    );

    for (const provider of ['constructor', '__proto__', 'hasOwnProperty']) {
      const machine = data(await mcp.call('oauth_client_credentials', { provider }));
      expect(machine.session.provider).toBe(provider);
    }
    const listed = data(await mcp.call('oauth_list_sessions'));
    expect(listed.providers.map((p: { name: string }) => p.name).sort()).toEqual(
      ['__proto__', 'constructor', 'hasOwnProperty', 'toString'].sort(),
    );
    expect(listed.providers).toContainEqual(
      expect.objectContaining({ name: '__proto__', issuer: as.issuer, source: 'config', is_default: false }),
    );
    expect(listed.providers).toContainEqual(
      expect.objectContaining({ name: 'toString', issuer: as.issuer, source: 'registered' }),
    );
    expect(listed.sessions.map((s: { provider: string }) => s.provider).sort()).toEqual(
      ['__proto__', 'constructor', 'hasOwnProperty'].sort(),
    );
    const one = data(await mcp.call('oauth_list_sessions', { provider: '__proto__' }));
    expect(one.sessions).toHaveLength(1);

    const unknown = await mcp.call('oauth_client_credentials', { provider: 'valueOf' });
    expect(unknown.isError).toBe(true);
    expect(unknown.structuredContent.error.code).toBe('invalid_input');
  });

  it('refuses a defaultProvider that names an Object.prototype member not among the providers', () => {
    expect(() => parseConfig({ providers: {}, defaultProvider: 'toString' }, {})).toThrow(/defaultProvider/);
    expect(() => parseConfig({ providers: {}, defaultProvider: 'constructor' }, {})).toThrow(
      /defaultProvider/,
    );
  });

  it('keeps a provider named __proto__ from the config file as an own provider', () => {
    const config = parseConfig(JSON.parse(`{"providers":{"__proto__":{"issuer":"https://as.example"}}}`), {});
    expect(Object.keys(config.providers)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(config.providers)).toBe(Object.prototype);
  });
});
