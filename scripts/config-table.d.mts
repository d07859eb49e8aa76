// Types of config-table.mjs for the TypeScript tests that import it.
import type { z } from 'zod';

export interface ConfigRow {
  key: string;
  type: string;
  defaultValue: unknown;
  description: string | undefined;
}

export declare const START: string;
export declare const END: string;
export declare function configRows(schema: z.ZodType): ConfigRow[];
export declare function renderConfigTable(schema: z.ZodType): string;
export declare function withConfigTable(readme: string, table: string): string;
