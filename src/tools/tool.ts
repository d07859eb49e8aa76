// Tools are data: a typed definition per tool, registered and wrapped the same way by registry.ts.

import type { ClientCapabilities, InputRequiredResult, ServerContext } from '@modelcontextprotocol/server';
import type { z } from 'zod';
import type { OAuthEngine } from '../auth/engine.js';
import type { Logger } from '../log.js';

export const TOOLSETS = [
  'discovery',
  'tokens',
  'signin',
  'registration',
  'api',
  'sessions',
  'diagnostics',
] as const;
export type Toolset = (typeof TOOLSETS)[number];

interface ToolAnnotations {
  readOnlyHint: boolean;
  destructiveHint: boolean;
  idempotentHint: boolean;
  openWorldHint: boolean;
}

export interface ToolContext {
  /** The engine of the calling principal (HTTP mode: the bearer token's user). */
  engine: OAuthEngine;
  logger: Logger;
  /** Aborted when the client cancels the request. */
  signal: AbortSignal;
  /** Sends an MCP progress notification when the request carried a progress token; a no-op otherwise. */
  progress(progress: number, total?: number, message?: string): Promise<void>;
  /** The raw SDK context, for the few tools that need protocol features (URL elicitation). */
  mcp: ServerContext;
  /** What the client declared it supports: per request (2026-era envelope) or from `initialize` (2025 era). */
  clientCapabilities(): ClientCapabilities | undefined;
}

/**
 * Returned by a handler instead of its output when it needs the client first (URL elicitation): the
 * SDK asks the client (2026 era: `input_required`; 2025 era: `elicitation/create`) and calls the handler again.
 */
export class NeedsInput {
  constructor(readonly result: InputRequiredResult) {}
}

export interface ToolDefinition<I extends z.ZodObject = z.ZodObject, O extends z.ZodObject = z.ZodObject> {
  name: `oauth_${string}`;
  toolset: Toolset;
  title: string;
  /** Written for a model choosing among tools: what it does, when to use it, what it returns. */
  description: string;
  input: I;
  output: O;
  annotations: ToolAnnotations;
  /** Returns plain data matching `output`, or throws; never builds an MCP result itself. */
  handler(args: z.infer<I>, ctx: ToolContext): Promise<z.infer<O> | NeedsInput>;
}

/** A tool as its module writes it: the schemas as functions, built on first use. */
export type ToolSpec<I extends z.ZodObject, O extends z.ZodObject> = Omit<
  ToolDefinition<I, O>,
  'input' | 'output'
> & { input: () => I; output: () => O };

/**
 * The definition of a tool, its types inferred. Its zod schemas are built when first read: start-up and
 * tools/list need only the JSON Schemas computed at build time (precomputed-schemas.ts), and building
 * every tool's schemas was a tenth of the time to `initialize`.
 */
export function defineTool<I extends z.ZodObject, O extends z.ZodObject>(
  spec: ToolSpec<I, O>,
): ToolDefinition<I, O> {
  let input: I | undefined;
  let output: O | undefined;
  return {
    ...spec,
    get input() {
      input ??= spec.input();
      return input;
    },
    get output() {
      output ??= spec.output();
      return output;
    },
  };
}
