// --demo keeps to itself: demo sessions and registered demo clients stay in memory, out of the user's real
// keychain or token file, unless the config names a store type of its own.

import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startServerProcess } from '../helpers/mcp-server-process.js';

describe('--demo and the token store', () => {
  it('leaves the default store untouched: sessions and registered clients live in memory', async () => {
    const server = await startServerProcess({ args: ['--demo'], config: { store: { type: 'auto' } } });
    try {
      const token = await server.call('oauth_client_credentials', {});
      expect(token.isError).toBeFalsy();
      const registered = await server.call('oauth_register_client', { client_name: 'demo notes' });
      expect(registered.isError).toBeFalsy();
      const listed = await server.call('oauth_list_sessions', {});
      expect(listed.structuredContent.store.backend).toBe('memory');
      expect(listed.structuredContent.sessions).toHaveLength(1);
      const dataDir = join(server.dir, 'data');
      expect(existsSync(dataDir) ? readdirSync(dataDir, { recursive: true }) : []).toEqual([]);
    } finally {
      await server.close();
    }
  });

  it('uses the store the config names', async () => {
    const server = await startServerProcess({ args: ['--demo'] });
    try {
      expect((await server.call('oauth_client_credentials', {})).isError).toBeFalsy();
      const listed = await server.call('oauth_list_sessions', {});
      expect(listed.structuredContent.store.backend).toBe('file');
      expect(existsSync(join(server.dir, 'tokens.json'))).toBe(true);
    } finally {
      await server.close();
    }
  });
});
