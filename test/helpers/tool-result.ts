// A tools/call result as the tests read it, whatever the transport (in-process, stdio, HTTP): one shape.

export interface ToolResult {
  isError?: boolean;
  content: { type: string; text?: string }[];
  /** `{}` when the server sent none; `any` so tests can reach into it the way the spec describes it. */
  structuredContent: Record<string, any>;
}

/** The SDK client's answer in the tests' shape. */
export function toToolResult(raw: unknown): ToolResult {
  const result = raw as Omit<ToolResult, 'structuredContent'> & { structuredContent?: Record<string, any> };
  return { ...result, structuredContent: result.structuredContent ?? {} };
}

/** The structured error of a failed tool result (throws when the call did not fail). */
export function toolError(result: ToolResult): { code: string; message: string } {
  if (!result.isError)
    throw new Error(`expected an error result, got ${JSON.stringify(result.structuredContent)}`);
  return (result.structuredContent as { error: { code: string; message: string } }).error;
}
