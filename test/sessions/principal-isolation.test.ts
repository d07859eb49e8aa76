// The engine as a library: each principal sees only its own sessions and registered clients, while
// configured providers and discovery are shared.

import { describe, expect, it } from 'vitest';
import { registerClient } from '../../src/auth/registration/registration.js';
import { listSessions } from '../../src/auth/sessions/sessions.js';
import { grantClientCredentials as clientCredentials } from '../../src/auth/tokens/client-credentials.js';
import { parseConfig } from '../../src/config/index.js';
import { createLogger } from '../../src/log.js';
import { createRuntime } from '../../src/runtime.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import { useAuthorizationServer } from '../helpers/authorization-server.js';

const as = useAuthorizationServer();

async function runtime() {
  const config = parseConfig({ providers: { shared: { issuer: as.issuer } }, defaultProvider: 'shared' }, {});
  return createRuntime(config, createLogger({ write: () => undefined }), { store: new MemoryStore() });
}

describe('principals', () => {
  it('keep registered clients and their sessions apart', async () => {
    const { engine } = await runtime();
    const alice = engine.forPrincipal('["iss","alice"]');
    const bob = engine.forPrincipal('["iss","bob"]');
    await registerClient(alice.ctx, {
      name: 'alice-bot',
      tokenEndpointAuthMethod: 'client_secret_basic',
      grantTypes: ['client_credentials'],
    });

    const { session } = await clientCredentials(alice.ctx, { provider: 'alice-bot' });
    expect(session.provider).toBe('alice-bot');
    expect(await alice.ctx.registry.providerNames()).toEqual(['shared', 'alice-bot']);

    expect(await bob.ctx.registry.providerNames()).toEqual(['shared']);
    await expect(clientCredentials(bob.ctx, { provider: 'alice-bot' })).rejects.toThrow(
      /Unknown provider "alice-bot"/,
    );
    expect(await listSessions(bob.ctx, {})).toEqual([]);
    expect(await listSessions(engine.ctx, {})).toEqual([]);
  });

  it("keeps each principal its engine, and never hands one principal the Configuration of another's client", async () => {
    const { engine } = await runtime();
    const alice = engine.forPrincipal('["iss","alice"]');
    const bob = engine.forPrincipal('["iss","bob"]');
    expect(engine.forPrincipal('["iss","alice"]')).toBe(alice);
    expect(engine.forPrincipal('["iss","alicE"]')).not.toBe(alice);
    const register = (ctx: typeof alice.ctx) =>
      registerClient(ctx, {
        name: 'bot',
        tokenEndpointAuthMethod: 'client_secret_basic',
        grantTypes: ['client_credentials'],
      });
    await register(alice.ctx);
    await register(bob.ctx);

    const alices = await alice.ctx.registry.resolve('bot');
    const bobs = await bob.ctx.registry.resolve('bot');
    expect(alices.configuration.clientMetadata().client_id).toBe(alices.settings.clientId);
    expect(bobs.configuration.clientMetadata().client_id).toBe(bobs.settings.clientId);
    expect(alices.settings.clientId).not.toBe(bobs.settings.clientId);
    expect((await alice.ctx.registry.resolve('bot')).configuration).toBe(alices.configuration);
  });
});
