// Types of tool-schemas.mjs for the TypeScript tests that import it.
export declare function computeAdvertisedSchemas(
  dist?: URL,
): Promise<Record<string, { input: Record<string, unknown>; output: Record<string, unknown> }>>;
