// Advertised JSON Schemas computed at build time (scripts/tool-schemas.mjs writes
// dist/tools/advertised-schemas.json after tsc), so the first tools/list converts no zod schema.

import { readFileSync, statSync } from 'node:fs';
import type { JsonSchema } from './json-schema-cache.js';

/** The JSON Schema target the SDK asks for, and the only one precomputed. */
export const PRECOMPUTED_TARGET = 'draft-2020-12';

export const PRECOMPUTED_FILE = new URL('./advertised-schemas.json', import.meta.url);

type Precomputed = Record<string, { input: JsonSchema; output: JsonSchema }>;

let loaded: Precomputed | undefined;

/**
 * A tool's advertised schema from the build, or undefined (running from src/, a tool added since, or a
 * file older than the compiled registry: a `tsc` run without the script; then the schema is converted).
 */
export function precomputedSchema(tool: string, direction: 'input' | 'output'): JsonSchema | undefined {
  loaded ??= load();
  return loaded[tool]?.[direction];
}

function load(): Precomputed {
  try {
    const compiledAfter =
      statSync(new URL('./registry.js', import.meta.url)).mtimeMs > statSync(PRECOMPUTED_FILE).mtimeMs;
    return compiledAfter ? {} : (JSON.parse(readFileSync(PRECOMPUTED_FILE, 'utf8')) as Precomputed);
  } catch {
    return {};
  }
}
