// The one place tools meet the SDK: selects toolsets, registers every tool, and wraps each handler
// the same way (engine per principal, progress, output validation, one error mapping).

import {
  CLIENT_CAPABILITIES_META_KEY,
  type ClientCapabilities,
  type McpServer,
  type ScopeChallengeHandler,
  type ServerContext,
} from '@modelcontextprotocol/server';
import { z } from 'zod';
import type { OAuthEngine } from '../auth/engine.js';
import { OAuthToolError } from '../errors.js';
import type { Logger } from '../log.js';
import { redactCredentials, redactDeep, redactSecrets, withSecretScope } from '../secrets/index.js';
import { advertisedInputSchema, advertisedOutputSchema } from './advertised-schema.js';
import { oauth } from './common.js';
import { messageWithNextStep } from './next-step.js';
import { NeedsInput, TOOLSETS, type ToolContext, type ToolDefinition, type Toolset } from './tool.js';

export interface ToolDeps {
  /** Or the promise of it: stdio answers `initialize` and tools/list while the engine loads; a call waits. */
  engine: OAuthEngine | Promise<OAuthEngine>;
  logger: Logger;
  /** HTTP mode: the authenticated principal of a request (`iss` + `sub`); undefined in stdio mode. */
  principalOf?: (ctx: ServerContext) => string | undefined;
  /** HTTP mode: the OAuth scopes a tools/call needs (answered 403 insufficient_scope before the tool runs). */
  scopeChallenge?: ScopeChallengeHandler;
}

export interface ToolSelection {
  /** Only these toolsets; default all. An unknown name is a start-up error. */
  toolsets?: string[] | undefined;
  /** Keep only tools whose readOnlyHint is true. */
  readOnly?: boolean | undefined;
  /**
   * Globs of tool names (`*`, `?`): plain patterns allow (default all), `!pattern` denies, and a deny
   * wins. A pattern that matches no tool is a start-up error, so a typo never silently keeps a tool.
   */
  tools?: string[] | undefined;
}

export function selectTools(
  tools: readonly ToolDefinition[],
  selection: ToolSelection = {},
): ToolDefinition[] {
  const unknown = (selection.toolsets ?? []).filter((name) => !TOOLSETS.includes(name as Toolset));
  if (unknown.length > 0) {
    throw new OAuthToolError(
      'invalid_input',
      `Unknown toolset ${unknown.map((n) => `"${n}"`).join(', ')}. Known toolsets: ${TOOLSETS.join(', ')}.`,
    );
  }
  const named = selection.tools ? byToolPatterns(tools, selection.tools) : () => true;
  return tools.filter(
    (tool) =>
      (!selection.toolsets || selection.toolsets.includes(tool.toolset)) &&
      (!selection.readOnly || tool.annotations.readOnlyHint) &&
      named(tool),
  );
}

function byToolPatterns(
  tools: readonly ToolDefinition[],
  patterns: readonly string[],
): (tool: ToolDefinition) => boolean {
  const parsed = patterns.map((pattern) => {
    const deny = pattern.startsWith('!');
    const glob = deny ? pattern.slice(1) : pattern;
    if (!/^[a-z0-9_*?]+$/.test(glob)) {
      throw new OAuthToolError(
        'invalid_input',
        `Tool pattern "${pattern}" is not a tool name glob: use letters, digits, _ and the wildcards * and ?, with ! in front to leave tools out (e.g. "oauth_*,!oauth_delete_client").`,
      );
    }
    const regex = new RegExp(`^${glob.replaceAll('*', '.*').replaceAll('?', '.')}$`);
    return { pattern, deny, matches: (tool: ToolDefinition) => regex.test(tool.name) };
  });
  const unmatched = parsed.filter((p) => !tools.some(p.matches));
  if (unmatched.length > 0) {
    throw new OAuthToolError(
      'invalid_input',
      `Tool pattern ${unmatched.map((p) => `"${p.pattern}"`).join(', ')} matches no tool. Tools: ${tools.map((t) => t.name).join(', ')}.`,
    );
  }
  const allows = parsed.filter((p) => !p.deny);
  const denies = parsed.filter((p) => p.deny);
  return (tool) =>
    (allows.length === 0 || allows.some((p) => p.matches(tool))) && !denies.some((p) => p.matches(tool));
}

export function registerTools(server: McpServer, tools: readonly ToolDefinition[], deps: ToolDeps): void {
  for (const tool of tools) {
    server.registerTool(
      tool.name,
      {
        title: tool.title,
        description: tool.description,
        inputSchema: advertisedInputSchema(tool),
        outputSchema: advertisedOutputSchema(tool),
        annotations: { title: tool.title, ...tool.annotations },
        ...(deps.scopeChallenge ? { scopeChallenge: deps.scopeChallenge } : {}),
      },
      // biome-ignore lint/suspicious/noExplicitAny: the SDK infers args from the schema; each tool's handler is typed by its definition
      (async (args: any, ctx: ServerContext) => runTool(tool, args, ctx, deps, server)) as never,
    );
  }
}

async function runTool(
  tool: ToolDefinition,
  args: unknown,
  mcp: ServerContext,
  deps: ToolDeps,
  server?: McpServer,
) {
  const principal = deps.principalOf?.(mcp);
  // What is learned during the call belongs to this caller and stays known until it ends.
  return withSecretScope(principal ?? '', args, () => runInScope(tool, args, mcp, deps, principal, server));
}

async function runInScope(
  tool: ToolDefinition,
  args: unknown,
  mcp: ServerContext,
  deps: ToolDeps,
  principal: string | undefined,
  server?: McpServer,
) {
  const engine = await deps.engine;
  const ctx: ToolContext = {
    // The caller's bearer token reaches auth/ only for on-behalf-of exchanges during this call.
    engine: principal ? engine.forPrincipal(principal).forCaller(mcp.http?.authInfo?.token) : engine,
    logger: deps.logger,
    signal: mcp.mcpReq.signal,
    progress: (progress, total, message) => sendProgress(mcp, progress, total, message),
    mcp,
    clientCapabilities: () => clientCapabilities(mcp, server),
  };
  try {
    const output = await tool.handler(args as never, ctx);
    // Every string that leaves goes through the secret registry; exposeTokens keeps only the views' raw-token fields.
    if (output instanceof NeedsInput) return redactDeep(output.result, { keepKeys: true });
    const data = redactedOutput(tool, tool.output.parse(output), ctx.engine.ctx.exposeTokens);
    return {
      // Compact: this text is what most hosts put in the model's context (indented it is a fifth larger).
      content: [{ type: 'text' as const, text: JSON.stringify(data) }],
      structuredContent: data as Record<string, unknown>,
    };
  } catch (thrown) {
    const error =
      thrown instanceof z.ZodError
        ? new OAuthToolError(
            'internal',
            `${tool.name} produced output that does not match its schema. This is a bug in oauth-mcp.`,
            { detail: thrown.message },
          )
        : (await oauth()).toToolError(thrown, { action: tool.name, signal: ctx.signal });
    deps.logger[error.code === 'internal' ? 'error' : 'info'](`${tool.name} failed: ${error.code}`, {
      message: error.message,
      ...(error.detail ? { detail: error.detail } : {}),
    });
    // An AS's error and error_description, or an unexpected message, must not carry a credential.
    const publicError = { ...error.toJSON(), message: messageWithNextStep(error) };
    for (const field of ['message', 'oauth_error', 'oauth_error_description'] as const) {
      const value = publicError[field];
      if (value !== undefined) publicError[field] = redactCredentials(value);
    }
    return {
      isError: true,
      content: [{ type: 'text' as const, text: `Error (${error.code}): ${publicError.message}` }],
      structuredContent: { error: publicError },
    };
  }
}

/**
 * The result redacted, and still one the client accepts (SDK v1 clients validate it against the
 * advertised schema): keys are never redacted; a value from a closed set (an enum or literal) is the
 * schema's own, never a secret, and stays; any other field a redaction made invalid is left out where the
 * advertised schema allows, else the call fails with an error rather than send a result the client rejects.
 */
function redactedOutput(
  tool: ToolDefinition,
  output: unknown,
  exposeTokens: boolean,
): Record<string, unknown> {
  const data = redactDeep(output, { exposeTokens, keepKeys: true }) as Record<string, unknown>;
  // Nothing redacted: the result is the one just validated.
  if (data === output) return data;
  const checked = tool.output.safeParse(data);
  if (checked.success) return data;
  for (const issue of checked.error.issues) {
    const original = valueAt(output, issue.path);
    if (issue.code === 'invalid_value' && typeof original === 'string') setAt(data, issue.path, original);
    else if (issue.path.length === 1) delete data[String(issue.path[0])];
  }
  // The advertised schema is the output's with every field optional (an error result has none of them).
  if (!tool.output.partial().safeParse(data).success) {
    throw new OAuthToolError(
      'internal',
      `${tool.name}'s result held a secret in a field that cannot be shown redacted, so it is not shown. Call ${tool.name} again; if this persists, report it as a bug in oauth-mcp.`,
    );
  }
  return data;
}

function valueAt(value: unknown, path: readonly PropertyKey[]): unknown {
  let at = value;
  for (const key of path) at = (at as Record<PropertyKey, unknown> | undefined)?.[key];
  return at;
}

function setAt(value: unknown, path: readonly PropertyKey[], replacement: unknown): void {
  const parent = valueAt(value, path.slice(0, -1)) as Record<PropertyKey, unknown>;
  parent[path[path.length - 1] as PropertyKey] = replacement;
}

function clientCapabilities(mcp: ServerContext, server?: McpServer): ClientCapabilities | undefined {
  const declared = (mcp.mcpReq.envelope as Record<string, unknown> | undefined)?.[
    CLIENT_CAPABILITIES_META_KEY
  ];
  return (declared as ClientCapabilities | undefined) ?? server?.server.getClientCapabilities();
}

async function sendProgress(
  mcp: ServerContext,
  progress: number,
  total?: number,
  message?: string,
): Promise<void> {
  const progressToken = mcp.mcpReq._meta?.progressToken;
  if (progressToken === undefined) return;
  await mcp.mcpReq
    .notify({
      method: 'notifications/progress',
      params: {
        progressToken,
        progress,
        ...(total === undefined ? {} : { total }),
        ...(message ? { message: redactSecrets(message) } : {}),
      },
    })
    .catch(() => undefined);
}
