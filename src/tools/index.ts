// Every tool of oauth-mcp, in the order tools/list shows them.

import { discoverTool } from './discovery.js';
import { listSessionsTool } from './sessions.js';
import { clientCredentialsTool, introspectTool, revokeTool } from './tokens.js';
import type { ToolDefinition } from './tool.js';

export const ALL_TOOLS: readonly ToolDefinition[] = [
  discoverTool,
  clientCredentialsTool,
  introspectTool,
  revokeTool,
  listSessionsTool,
] as unknown as readonly ToolDefinition[];
