// Tool schemas converted to JSON Schema once per process: stateless HTTP builds an McpServer per request,
// and the SDK converts every tool's zod schemas again for each new server (about a tenth of a request).

export type JsonSchema = Record<string, unknown>;
export type Convert = (options: { target: string; libraryOptions?: Record<string, unknown> }) => JsonSchema;

/**
 * `convert` memoized per target (library options bypass the cache), its result shaped and frozen;
 * `ready(target)` may give the shaped result without converting (a schema computed at build time).
 */
export function cachedConversion(
  convert: Convert,
  shape: (json: JsonSchema) => JsonSchema,
  ready: (target: string) => JsonSchema | undefined = () => undefined,
): Convert {
  const byTarget = new Map<string, JsonSchema>();
  return (options) => {
    if (options.libraryOptions) return convert(options);
    let json = byTarget.get(options.target);
    if (!json) {
      json = deepFreeze(ready(options.target) ?? shape(convert(options)));
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
