// Types of tool-table.mjs for the TypeScript tests that import it.
import type { ToolDefinition } from '../src/tools/tool.js';

export declare const START: string;
export declare const END: string;
export declare function renderToolTable(tools: readonly ToolDefinition[]): string;
export declare function withToolTable(readme: string, table: string): string;
