// The public tool contract: names from the design document, schemas snapshotted so an accidental
// change shows up in review, every tool described and annotated, and the README's table in sync.

import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderToolTable, withToolTable } from '../../scripts/tool-table.mjs';
import { ALL_TOOLS } from '../../src/tools/index.js';
import { selectTools } from '../../src/tools/registry.js';
import { type InProcessServer, startInProcess } from '../helpers/in-process-server.js';

const DESIGN_TOOL_NAMES = [
  'oauth_discover',
  'oauth_authenticate_user',
  'oauth_client_credentials',
  'oauth_refresh_token',
  'oauth_introspect_token',
  'oauth_revoke_access',
  'oauth_userinfo',
  'oauth_register_client',
  'oauth_get_client',
  'oauth_update_client',
  'oauth_delete_client',
  'oauth_list_sessions',
  'oauth_call_api',
  'oauth_inspect_token',
  'oauth_get_jwks',
  'oauth_audit_server',
  'oauth_exchange_token',
];

describe('tool definitions', () => {
  let server: InProcessServer;
  beforeAll(async () => {
    server = await startInProcess({});
  });
  afterAll(() => server.close());

  it('are exactly the tools of the design document', async () => {
    const { tools } = await server.client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual([...DESIGN_TOOL_NAMES].sort());
  });

  it('each have a model-facing description, snake_case arguments, both schemas and all four annotations', async () => {
    const { tools } = await server.client.listTools();
    for (const tool of tools) {
      expect(tool.description?.length, tool.name).toBeGreaterThan(100);
      expect(tool.title, tool.name).toBeTruthy();
      for (const argument of Object.keys(tool.inputSchema.properties ?? {}))
        expect(argument).toMatch(/^[a-z][a-z0-9_]*$/);
      expect(tool.outputSchema?.properties, tool.name).toHaveProperty('error');
      for (const hint of ['readOnlyHint', 'destructiveHint', 'idempotentHint', 'openWorldHint']) {
        expect(typeof (tool.annotations as Record<string, unknown>)[hint], `${tool.name}.${hint}`).toBe(
          'boolean',
        );
      }
    }
  });

  it('each match their reviewed snapshot file (update with vitest -u when a change is intended)', async () => {
    const { tools } = await server.client.listTools();
    for (const tool of tools) {
      await expect(`${JSON.stringify(tool, null, 2)}\n`).toMatchFileSnapshot(
        `./__snapshots__/${tool.name}.json`,
      );
    }
    const files = readdirSync(new URL('./__snapshots__/', import.meta.url));
    expect(files.sort(), 'a snapshot file of a tool that no longer exists').toEqual(
      tools.map((t) => `${t.name}.json`).sort(),
    );
  });

  it('are listed in the README, generated from the registry (node scripts/tool-table.mjs)', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    expect(readme).toBe(withToolTable(readme, renderToolTable(ALL_TOOLS)));
  });

  it('can be narrowed to toolsets and to read-only tools; an unknown toolset is refused', () => {
    expect(selectTools(ALL_TOOLS, { toolsets: ['discovery', 'sessions'] }).map((t) => t.name)).toEqual([
      'oauth_discover',
      'oauth_list_sessions',
    ]);
    const readOnly = selectTools(ALL_TOOLS, { readOnly: true });
    expect(readOnly.length).toBeGreaterThan(0);
    expect(readOnly.every((t) => t.annotations.readOnlyHint)).toBe(true);
    expect(readOnly.map((t) => t.name)).not.toContain('oauth_revoke_access');
    expect(() => selectTools(ALL_TOOLS, { toolsets: ['tokens', 'nope'] })).toThrow(
      /Unknown toolset "nope".*Known toolsets: discovery/,
    );
  });
});
