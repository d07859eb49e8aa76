// Model-facing input: scopes as a list or one string, provider names forgiven for case or answered with
// "did you mean", an unknown provider as invalid_input everywhere, and oauth_update_client's own wording.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useAuthorizationServer } from '../helpers/authorization-server.js';
import { type InProcessServer, startInProcess } from '../helpers/in-process-server.js';

const as = useAuthorizationServer();
let server: InProcessServer;

beforeAll(async () => {
  const { confidential } = as().clients;
  server = await startInProcess({
    providers: {
      work: { issuer: as.issuer, ...confidential },
      personal: { issuer: as.issuer, ...confidential },
    },
    defaultProvider: 'work',
  });
});
afterAll(() => server.close());

describe('model-facing input', () => {
  it('takes scopes as one space-separated string as well as a list', async () => {
    const asString = await server.call('oauth_client_credentials', {
      scopes: 'api:read api:write',
      force_new: true,
    });
    expect(asString.isError).toBeFalsy();
    expect(asString.structuredContent?.session.scope.split(' ').sort()).toEqual(['api:read', 'api:write']);
    const asList = await server.call('oauth_client_credentials', { scopes: ['api:read'], force_new: true });
    expect(asList.structuredContent?.session.scope).toBe('api:read');
    const bad = await server.call('oauth_client_credentials', { scopes: 'api:read "quoted"' });
    expect(bad.isError).toBe(true);
  });

  it('matches provider names case-insensitively', async () => {
    const result = await server.call('oauth_client_credentials', { provider: 'WORK' });
    expect(result.isError).toBeFalsy();
    expect(result.structuredContent?.session.provider).toBe('work');
    const listed = await server.call('oauth_list_sessions', { provider: 'Work' });
    expect(listed.structuredContent?.sessions.length).toBeGreaterThan(0);
  });

  it('answers a mistyped provider with invalid_input and "did you mean", in every tool', async () => {
    for (const [tool, args] of [
      ['oauth_list_sessions', { provider: 'wrok' }],
      ['oauth_client_credentials', { provider: 'wrok' }],
      ['oauth_refresh_token', { provider: 'wrok' }],
    ] as const) {
      const result = await server.call(tool, args);
      expect(result.isError, tool).toBe(true);
      expect(result.structuredContent?.error.code, tool).toBe('invalid_input');
      expect(result.structuredContent?.error.message, tool).toContain('Did you mean "work"?');
    }
    const far = await server.call('oauth_list_sessions', { provider: 'elsewhere' });
    expect(far.structuredContent?.error.message).not.toContain('Did you mean');
  });

  it('describes every input field, and oauth_update_client fields as changes with no register defaults', async () => {
    const { tools } = await server.client.listTools();
    for (const tool of tools) {
      for (const [name, schema] of Object.entries(tool.inputSchema.properties ?? {})) {
        expect((schema as { description?: string }).description, `${tool.name}.${name}`).toBeTruthy();
      }
    }
    // The tool says once that omitted fields keep their registered value; no field speaks of a default.
    const update = tools.find((t) => t.name === 'oauth_update_client');
    expect(update?.description).toContain('give only the fields to change; the rest is kept');
    for (const [name, schema] of Object.entries(update?.inputSchema.properties ?? {})) {
      if (name === 'provider') continue;
      expect((schema as { description: string }).description, name).not.toMatch(/default/i);
    }
  });
});
