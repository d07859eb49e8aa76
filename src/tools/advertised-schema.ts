// What tools/list advertises for each tool: its zod schemas as JSON Schema, trimmed of what fills the
// model's context without helping it choose a tool or fill its arguments. The zod schemas still
// validate every call and every result in full.

import type { StandardSchemaWithJSON } from '@modelcontextprotocol/server';
import { type Convert, cachedConversion, type JsonSchema } from './json-schema-cache.js';
import { PRECOMPUTED_TARGET, precomputedSchema } from './precomputed-schemas.js';
import type { ToolDefinition } from './tool.js';

/**
 * Input: no `$schema` (MCP's default dialect is 2020-12), no length caps (`maxLength`, `maxItems`: they
 * stop abuse, a model never nears them, and the refusal names the limit) nor `minLength: 1`, no
 * `propertyNames` that only says keys are strings (JSON keys always are). Arguments are validated by
 * the tool's own zod schema.
 */
export function advertisedInputSchema(tool: ToolDefinition): StandardSchemaWithJSON {
  return advertised(tool, 'input', (value) => tool.input['~standard'].validate(value));
}

/**
 * SDK v1 clients validate `structuredContent` against `outputSchema` even for error results, so the
 * advertised schema admits both shapes: the tool's fields (all optional) and `error`, a short shape
 * every tool shares (its codes are in the error's text). Output schemas give structure (types,
 * nesting, enums, required fields) without prose: hosts do not show them to the model, which reads
 * the result itself, and validators and type generators need only the structure.
 *
 * It validates nothing: runTool has already validated the result against the tool's strict schema
 * (which implies this looser one) and builds error results itself, so the SDK's second validation of
 * every result, and building a partial zod copy of each output schema at start-up, are saved.
 */
export function advertisedOutputSchema(tool: ToolDefinition): StandardSchemaWithJSON {
  return advertised(tool, 'output', (value: unknown) => ({ value }));
}

/** What tools/list shows for a tool's input or output, from its zod schema's JSON Schema (scripts/tool-schemas.mjs). */
export function advertisedJson(direction: 'input' | 'output', converted: JsonSchema): JsonSchema {
  if (direction === 'input') return trim(converted, { dropCaps: true, descriptions: true });
  const { required: _allOptional, ...trimmed } = trim(converted, { dropCaps: false, descriptions: false });
  const properties = trimmed.properties as Record<string, JsonSchema>;
  return { ...trimmed, properties: { ...properties, error: ADVERTISED_ERROR } };
}

/** Built once per tool and direction: stateless HTTP creates a server per request. */
const built = {
  input: new WeakMap<ToolDefinition, StandardSchemaWithJSON>(),
  output: new WeakMap<ToolDefinition, StandardSchemaWithJSON>(),
};

function advertised(
  tool: ToolDefinition,
  direction: 'input' | 'output',
  validate: StandardSchemaWithJSON['~standard']['validate'],
): StandardSchemaWithJSON {
  let schema = built[direction].get(tool);
  if (!schema) {
    // The zod schema is read only to convert it (no precomputed schema, or library options).
    const convert: Convert = (options) =>
      (tool[direction]['~standard'].jsonSchema[direction] as Convert)(options);
    const json = cachedConversion(
      convert,
      (converted) => advertisedJson(direction, converted),
      (target) => (target === PRECOMPUTED_TARGET ? precomputedSchema(tool.name, direction) : undefined),
    );
    schema = {
      '~standard': {
        version: 1,
        vendor: 'oauth-mcp',
        validate,
        jsonSchema: { input: json, output: json },
      },
    };
    built[direction].set(tool, schema);
  }
  return schema;
}

/** Admits every `{ code, message, oauth_error?, oauth_error_description? }` the registry returns. */
const ADVERTISED_ERROR: JsonSchema = {
  type: 'object',
  properties: { code: { type: 'string' }, message: { type: 'string' } },
  required: ['code', 'message'],
};

const CAPS = new Set(['maxLength', 'maxItems']);

/** A trimmed copy of a converted schema. */
function trim(json: JsonSchema, options: { dropCaps: boolean; descriptions: boolean }): JsonSchema {
  const { $schema: _dialect, ...root } = json;
  const walk = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(walk);
    if (!node || typeof node !== 'object') return node;
    const out: JsonSchema = {};
    for (const [key, value] of Object.entries(node)) {
      if (options.dropCaps && (CAPS.has(key) || (key === 'minLength' && value === 1))) continue;
      if (!options.descriptions && key === 'description' && typeof value === 'string') continue;
      if (key === 'propertyNames' && isOnlyString(value)) continue;
      // `properties` maps names to schemas: its keys are field names (even "description"), not keywords.
      out[key] =
        key === 'properties' && value && typeof value === 'object'
          ? Object.fromEntries(Object.entries(value).map(([name, child]) => [name, walk(child)]))
          : walk(value);
    }
    return out;
  };
  return walk(root) as JsonSchema;
}

const isOnlyString = (value: unknown) =>
  !!value &&
  typeof value === 'object' &&
  Object.keys(value).length === 1 &&
  (value as JsonSchema).type === 'string';
