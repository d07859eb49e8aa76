// Tool schemas converted to JSON Schema once per process: stateless HTTP builds an McpServer per request,
// and the SDK converts every tool's zod schemas again for each new server (about a tenth of a request).

import type { z } from 'zod';

export type JsonSchema = Record<string, unknown>;
export type Convert = (options: { target: string; libraryOptions?: Record<string, unknown> }) => JsonSchema;

const cachedSchemas = new WeakSet<z.ZodType>();

/**
 * Memoizes `schema`'s Standard JSON Schema conversion (the interface the SDK converts through) per
 * direction and target, passed through `shape` (what tools/list advertises). The result is frozen: it
 * is shared by every server, so nobody may edit it.
 */
export function withCachedJsonSchema<T extends z.ZodType>(
  schema: T,
  shape: (json: JsonSchema) => JsonSchema = (json) => json,
): T {
  if (cachedSchemas.has(schema)) return schema;
  const standard = schema['~standard'];
  schema['~standard'] = {
    ...standard,
    jsonSchema: {
      input: cachedConversion(standard.jsonSchema.input as Convert, shape),
      output: cachedConversion(standard.jsonSchema.output as Convert, shape),
    },
  } as typeof standard;
  cachedSchemas.add(schema);
  return schema;
}

/** `convert` memoized per target (library options bypass the cache), its result shaped and frozen. */
export function cachedConversion(convert: Convert, shape: (json: JsonSchema) => JsonSchema): Convert {
  const byTarget = new Map<string, JsonSchema>();
  return (options) => {
    if (options.libraryOptions) return convert(options);
    let json = byTarget.get(options.target);
    if (!json) {
      json = deepFreeze(shape(convert(options)));
      byTarget.set(options.target, json);
    }
    return json;
  };
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
