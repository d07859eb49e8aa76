// The MCP SDK's own OAuth client (StreamableHTTPClientTransport with an OAuthClientProvider: discovery from
// our 401, dynamic registration, PKCE), v1 as Claude Code, Cursor and many agents use it and v2 its successor,
// against HTTP mode with default settings at an authorization server that enforces registered scopes: each
// signs in once, lists and calls tools, and a restarted client reuses its stored token. The user's browser
// is the test's user agent.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  Client as ClientV2,
  StreamableHTTPClientTransport as HttpV2,
  UnauthorizedError as UnauthorizedV2,
} from '@modelcontextprotocol/client';
import { type OAuthClientProvider, UnauthorizedError } from '@modelcontextprotocol/sdk/client/auth.js';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type {
  OAuthClientInformationMixed,
  OAuthClientMetadata,
  OAuthTokens,
} from '@modelcontextprotocol/sdk/shared/auth.js';
import { afterAll, describe, expect, it } from 'vitest';
import type { ConnectedClient } from '../helpers/http-server-process.js';
import { useMcpHttpDeployment } from '../helpers/mcp-http-deployment.js';
import { toToolResult } from '../helpers/tool-result.js';
import { signIn } from '../helpers/user-agent.js';

const deployment = await useMcpHttpDeployment();
const dir = mkdtempSync(join(tmpdir(), 'oauth-mcp-sdk-client-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Stored {
  client?: OAuthClientInformationMixed;
  tokens?: OAuthTokens;
  verifier?: string;
}

/** A host's provider: its state in a file (so a restarted host finds it), the browser played by `signIn`. */
class HostProvider implements OAuthClientProvider {
  /** Authorization URLs this host sent its user to. */
  readonly authorizations: URL[] = [];
  /** Where the authorization server sent the browser back (the redirect URI with `code`). */
  callback: URL | undefined;
  // Never listened on: the user agent stops at the redirect and hands the code over, as a host's listener would.
  readonly redirectUrl = 'http://127.0.0.1:33418/callback';

  constructor(readonly file: string) {}

  get clientMetadata(): OAuthClientMetadata {
    return {
      client_name: 'SDK v1 host (oauth-mcp tests)',
      redirect_uris: [this.redirectUrl],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
    };
  }

  stored(): Stored {
    try {
      return JSON.parse(readFileSync(this.file, 'utf8')) as Stored;
    } catch {
      return {};
    }
  }

  #save(patch: Stored): void {
    writeFileSync(this.file, JSON.stringify({ ...this.stored(), ...patch }));
  }

  clientInformation() {
    return this.stored().client;
  }
  saveClientInformation(client: OAuthClientInformationMixed) {
    this.#save({ client });
  }
  tokens() {
    return this.stored().tokens;
  }
  saveTokens(tokens: OAuthTokens) {
    this.#save({ tokens });
  }
  saveCodeVerifier(verifier: string) {
    this.#save({ verifier });
  }
  codeVerifier() {
    const { verifier } = this.stored();
    if (!verifier) throw new Error('no code verifier saved');
    return verifier;
  }
  async redirectToAuthorization(url: URL) {
    this.authorizations.push(url);
    const { finalUrl } = await signIn(url.href, { login: 'sdk-user' });
    const callback = new URL(finalUrl);
    if (!callback.searchParams.get('code'))
      throw new Error(`the authorization server answered ${callback.search}`);
    this.callback = callback;
  }
}

type Era = 'v1' | 'v2';

/** What a host does: connect; when told to authorize, finish with what its redirect received, reconnect. */
async function connectAsHost(era: Era, provider: HostProvider): Promise<ConnectedClient> {
  const url = new URL(deployment.mcpUrl);
  const info = { name: `sdk-${era}-host`, version: '1.0.0' };
  if (era === 'v1') {
    const client = new Client(info);
    const transport = new StreamableHTTPClientTransport(url, { authProvider: provider });
    await client.connect(transport).catch(async (error: unknown) => {
      if (!(error instanceof UnauthorizedError) || !provider.callback) throw error;
      await transport.finishAuth(provider.callback.searchParams.get('code') as string);
      await client.connect(new StreamableHTTPClientTransport(url, { authProvider: provider }));
    });
    return {
      listTools: () => client.listTools(),
      callTool: async (name, args = {}) => toToolResult(await client.callTool({ name, arguments: args })),
      close: () => client.close(),
    };
  }
  const client = new ClientV2(info);
  const transport = new HttpV2(url, { authProvider: provider });
  await client.connect(transport).catch(async (error: unknown) => {
    if (!(error instanceof UnauthorizedV2) || !provider.callback) throw error;
    await transport.finishAuth(provider.callback.searchParams);
    await client.connect(new HttpV2(url, { authProvider: provider }));
  });
  return {
    listTools: () => client.listTools(),
    callTool: async (name, args = {}) => toToolResult(await client.callTool({ name, arguments: args })),
    close: () => client.close(),
  };
}

async function listsAndCalls(client: ConnectedClient): Promise<void> {
  const { tools } = await client.listTools();
  expect(tools.map((tool) => tool.name)).toContain('oauth_list_sessions');
  const result = await client.callTool('oauth_list_sessions');
  expect(result.isError).toBeFalsy();
}

describe.each<Era>(['v1', 'v2'])('the SDK %s OAuth client (DCR + PKCE) against HTTP mode', (era) => {
  const file = join(dir, `${era}-host-state.json`);

  it('signs in once, then lists and calls tools', async () => {
    const provider = new HostProvider(file);
    const client = await connectAsHost(era, provider);
    try {
      await listsAndCalls(client);
    } finally {
      await client.close();
    }
    expect(provider.authorizations).toHaveLength(1);
    const [authorization] = provider.authorizations;
    expect(authorization?.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authorization?.searchParams.get('resource')).toBe(deployment.mcpUrl);
    // It registered with the scope of our first challenge: that scope must already cover tools/call.
    const registered = provider.stored().client as { client_id: string; scope?: string };
    expect(registered.client_id).toBeTruthy();
    expect(registered.scope?.split(' ')).toEqual(
      expect.arrayContaining(['mcp:tools:read', 'mcp:tools:execute']),
    );
  });

  it('a restarted host reuses its stored token without another sign-in', async () => {
    const provider = new HostProvider(file);
    expect(provider.tokens()?.access_token).toBeTruthy();
    const client = await connectAsHost(era, provider);
    try {
      await listsAndCalls(client);
    } finally {
      await client.close();
    }
    expect(provider.authorizations).toHaveLength(0);
  });
});
