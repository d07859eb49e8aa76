// createServer(deps): an McpServer with every selected tool; no transport code (stdio and HTTP share it).

import { McpServer } from '@modelcontextprotocol/server';
import type { Logger } from './log.js';
import { ALL_TOOLS } from './tools/index.js';
import { registerTools, selectTools, type ToolDeps, type ToolSelection } from './tools/registry.js';
import { VERSION } from './version.js';

interface ServerDeps {
  engine: ToolDeps['engine'];
  logger: Logger;
  selection?: ToolSelection;
  principalOf?: ToolDeps['principalOf'];
  scopeChallenge?: ToolDeps['scopeChallenge'];
  /** HTTP mode: the request is a tools/call of this tool and can reach no other. */
  onlyTool?: string;
}

const INSTRUCTIONS = `oauth-mcp performs OAuth 2 / OpenID Connect client operations against configured authorization servers ("providers").
Start with oauth_list_sessions (the providers to choose from, and who is signed in) or oauth_discover (what a server supports).
Sign users in with oauth_authenticate_user; get machine tokens with oauth_client_credentials; call APIs with oauth_call_api.
Tokens stay in the server's store: tools show a fingerprint (access_token_sha256), never the raw token, unless the user's config sets exposeTokens.`;

export function createServer(deps: ServerDeps): McpServer {
  const server = new McpServer(
    { name: 'oauth-mcp', version: VERSION },
    { capabilities: { tools: {}, logging: {} }, instructions: INSTRUCTIONS },
  );
  const selected = selectTools(ALL_TOOLS, deps.selection);
  const only = deps.onlyTool ? selected.filter((tool) => tool.name === deps.onlyTool) : [];
  // Registering every tool is a tenth of a stateless request that can reach one; an unknown name keeps
  // them all, so the SDK answers it as before.
  const tools = only.length > 0 ? only : selected;
  registerTools(server, tools, {
    engine: deps.engine,
    logger: deps.logger,
    ...(deps.principalOf ? { principalOf: deps.principalOf } : {}),
    ...(deps.scopeChallenge ? { scopeChallenge: deps.scopeChallenge } : {}),
  });
  return server;
}
