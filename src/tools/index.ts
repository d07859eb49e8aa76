// Every tool of oauth-mcp, in the order tools/list shows them.

import { callApiTool, userinfoTool } from './api.js';
import { auditServerTool, getJwksTool, inspectTokenTool } from './diagnostics.js';
import { discoverTool } from './discovery.js';
import { exchangeTokenTool } from './exchange.js';
import { deleteClientTool, getClientTool, registerClientTool, updateClientTool } from './registration.js';
import { listSessionsTool } from './sessions.js';
import { authenticateUserTool } from './signin.js';
import { clientCredentialsTool, introspectTool, refreshTokenTool, revokeTool } from './tokens.js';
import type { ToolDefinition } from './tool.js';

export const ALL_TOOLS: readonly ToolDefinition[] = [
  discoverTool,
  authenticateUserTool,
  clientCredentialsTool,
  refreshTokenTool,
  introspectTool,
  revokeTool,
  exchangeTokenTool,
  userinfoTool,
  callApiTool,
  registerClientTool,
  getClientTool,
  updateClientTool,
  deleteClientTool,
  listSessionsTool,
  inspectTokenTool,
  getJwksTool,
  auditServerTool,
];
