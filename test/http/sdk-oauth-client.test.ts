// The MCP SDK's own OAuth client (v1 StreamableHTTPClientTransport with an OAuthClientProvider: discovery from
// our 401, dynamic registration, PKCE), as Claude Code, Cursor and many agents use it, against HTTP mode with
// default settings at an authorization server that enforces registered scopes: it signs in once, lists and
// calls tools, and a restarted client reuses its stored token. The user's browser is the test's user agent.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type OAuthClientProvider, UnauthorizedError } from '@modelcontextprotocol/sdk/client/auth.js';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type {
  OAuthClientInformationMixed,
  OAuthClientMetadata,
  OAuthTokens,
} from '@modelcontextprotocol/sdk/shared/auth.js';
import { afterAll, describe, expect, it } from 'vitest';
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
  code: string | undefined;
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
    const code = callback.searchParams.get('code');
    if (!code) throw new Error(`the authorization server answered ${callback.search}`);
    this.code = code;
  }
}

const info = { name: 'sdk-v1-host', version: '1.0.0' };

/** What a host does: connect; when told to authorize, finish with the code its redirect received, reconnect. */
async function connectAsHost(provider: HostProvider): Promise<Client> {
  const url = new URL(deployment.mcpUrl);
  const first = new Client(info);
  const transport = new StreamableHTTPClientTransport(url, { authProvider: provider });
  try {
    await first.connect(transport);
    return first;
  } catch (error) {
    if (!(error instanceof UnauthorizedError) || !provider.code) throw error;
  }
  await transport.finishAuth(provider.code);
  const client = new Client(info);
  await client.connect(new StreamableHTTPClientTransport(url, { authProvider: provider }));
  return client;
}

async function listsAndCalls(client: Client): Promise<void> {
  const { tools } = await client.listTools();
  expect(tools.map((tool) => tool.name)).toContain('oauth_list_sessions');
  const result = toToolResult(await client.callTool({ name: 'oauth_list_sessions', arguments: {} }));
  expect(result.isError).toBeFalsy();
}

describe('the SDK v1 OAuth client (DCR + PKCE) against HTTP mode', () => {
  const file = join(dir, 'host-state.json');

  it('signs in once, then lists and calls tools', async () => {
    const provider = new HostProvider(file);
    const client = await connectAsHost(provider);
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
    const client = await connectAsHost(provider);
    try {
      await listsAndCalls(client);
    } finally {
      await client.close();
    }
    expect(provider.authorizations).toHaveLength(0);
  });
});
