// Tool schemas converted to JSON Schema once per process: stateless HTTP builds an McpServer per request,
// and the SDK converts every tool's zod schemas again for each new server (about a tenth of a request).

import type { z } from 'zod';

export type JsonSchema = Record<string, unknown>;
type Convert = (options: { target: string; libraryOptions?: Record<string, unknown> }) => JsonSchema;

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
  const memoize = (convert: Convert): Convert => {
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
  };
  schema['~standard'] = {
    ...standard,
    jsonSchema: {
      input: memoize(standard.jsonSchema.input as Convert),
      output: memoize(standard.jsonSchema.output as Convert),
    },
  } as typeof standard;
  cachedSchemas.add(schema);
  return schema;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
