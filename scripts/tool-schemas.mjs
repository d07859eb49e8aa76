// The tools' advertised JSON Schemas, computed once at build time (`npm run build` runs this after tsc):
// writes dist/tools/advertised-schemas.json, which the server reads instead of converting zod schemas on
// its first tools/list. test/tools/advertised-schemas.test.ts checks it equals a fresh conversion.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** `{ [tool]: { input, output } }` as tools/list shows them, from each tool's zod schemas. */
export async function computeAdvertisedSchemas(dist = new URL('../dist/', import.meta.url)) {
  const { ALL_TOOLS } = await import(new URL('tools/index.js', dist).href);
  const { advertisedJson } = await import(new URL('tools/advertised-schema.js', dist).href);
  const { PRECOMPUTED_TARGET } = await import(new URL('tools/precomputed-schemas.js', dist).href);
  const schemas = {};
  for (const tool of ALL_TOOLS) {
    const convert = (direction) =>
      advertisedJson(
        direction,
        tool[direction]['~standard'].jsonSchema[direction]({ target: PRECOMPUTED_TARGET }),
      );
    schemas[tool.name] = { input: convert('input'), output: convert('output') };
  }
  return schemas;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { PRECOMPUTED_FILE } = await import('../dist/tools/precomputed-schemas.js');
  writeFileSync(PRECOMPUTED_FILE, `${JSON.stringify(await computeAdvertisedSchemas())}\n`);
}
