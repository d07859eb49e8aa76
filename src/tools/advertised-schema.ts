// What tools/list advertises for each tool: its zod schemas as JSON Schema, trimmed of what fills the
// model's context without helping it choose a tool or fill its arguments. The zod schemas still
// validate every call and every result in full.

import type { z } from 'zod';
import { publicErrorSchema } from './common.js';
import { type JsonSchema, withCachedJsonSchema } from './json-schema-cache.js';

/**
 * Input: no `$schema` (MCP's default dialect is 2020-12), no length caps (`maxLength`, `maxItems`: they
 * stop abuse, a model never nears them, and the refusal names the limit) nor `minLength: 1`, no
 * `propertyNames` that only says keys are strings (JSON keys always are).
 */
export function advertisedInputSchema<T extends z.ZodObject>(input: T): T {
  return withCachedJsonSchema(input, (json) => trim(json, { dropCaps: true, nestedDescriptions: true }));
}

/**
 * SDK v1 clients validate `structuredContent` against `outputSchema` even for error results, so the
 * advertised schema admits both shapes: the tool's fields (all optional) and `error`. Only the top
 * level keeps its descriptions, and `error` is a short shape every tool shares (its codes are in the
 * error's text). The handler's own output is still validated against the strict schema first.
 */
export function advertisedOutputSchema(output: z.ZodObject): z.ZodObject {
  let advertised = advertisedOutputs.get(output);
  if (!advertised) {
    advertised = output.partial().extend({ error: publicErrorSchema.optional() });
    withCachedJsonSchema(advertised, (json) => {
      const trimmed = trim(json, { dropCaps: false, nestedDescriptions: false });
      const properties = trimmed.properties as Record<string, JsonSchema>;
      return { ...trimmed, properties: { ...properties, error: ADVERTISED_ERROR } };
    });
    advertisedOutputs.set(output, advertised);
  }
  return advertised;
}

/** Built once per tool: stateless HTTP creates a server per request, and zod schema building is not free. */
const advertisedOutputs = new WeakMap<z.ZodObject, z.ZodObject>();

/** Admits every `{ code, message, oauth_error?, oauth_error_description? }` the registry returns. */
const ADVERTISED_ERROR: JsonSchema = {
  description: 'Present only when the call failed',
  type: 'object',
  properties: { code: { type: 'string' }, message: { type: 'string' } },
  required: ['code', 'message'],
};

const CAPS = new Set(['maxLength', 'maxItems']);

/** A trimmed copy of a converted schema; `nestedDescriptions: false` keeps only the root properties' ones. */
function trim(json: JsonSchema, options: { dropCaps: boolean; nestedDescriptions: boolean }): JsonSchema {
  const { $schema: _dialect, ...root } = json;
  const walk = (node: unknown, depth: number): unknown => {
    if (Array.isArray(node)) return node.map((item) => walk(item, depth));
    if (!node || typeof node !== 'object') return node;
    const out: JsonSchema = {};
    for (const [key, value] of Object.entries(node)) {
      if (options.dropCaps && (CAPS.has(key) || (key === 'minLength' && value === 1))) continue;
      if (!options.nestedDescriptions && key === 'description' && depth > 1) continue;
      if (key === 'propertyNames' && isOnlyString(value)) continue;
      // `properties` maps names to schemas: its values are one level deeper, its keys are not keywords.
      out[key] =
        key === 'properties' && value && typeof value === 'object'
          ? Object.fromEntries(Object.entries(value).map(([name, child]) => [name, walk(child, depth + 1)]))
          : walk(value, depth);
    }
    return out;
  };
  return walk(root, 0) as JsonSchema;
}

const isOnlyString = (value: unknown) =>
  !!value &&
  typeof value === 'object' &&
  Object.keys(value).length === 1 &&
  (value as JsonSchema).type === 'string';
