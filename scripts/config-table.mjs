// The README's config reference, generated from the config schema: `node scripts/config-table.mjs`
// rewrites it from dist/ (run `npm run build` first); test/unit/config-table.test.ts fails when it is stale.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const START = '<!-- config-table:start -->';
export const END = '<!-- config-table:end -->';

/** Objects whose keys the user names (providers) are shown as `<name>`. */
const NAMED = '<name>';

/** One row per setting (dotted key, type, default, description), walking the zod schema. */
export function configRows(schema) {
  const rows = [];
  const walk = (node, path, inherited) => {
    const sources = node.meta?.()?.sources;
    const { base, description, defaultValue } = unwrap(node);
    const def = base._zod.def;
    const key = path.join('.');
    const entries = def.type === 'object' ? Object.entries(def.shape) : undefined;
    const own = description ?? inherited;
    if (def.type === 'map' || def.type === 'record') {
      if (key) rows.push({ key, type: 'object', defaultValue, description: own });
      const value = unwrap(def.valueType).base;
      if (value._zod.def.type === 'object') return walk(def.valueType, [...path, NAMED]);
      return;
    }
    const describedObject = entries && def.catchall?._zod.def.type !== 'unknown';
    if (!describedObject) {
      rows.push({ key, type: typeName(base), defaultValue, description: own, sources });
      return;
    }
    if (key && own) rows.push({ key, type: 'object', defaultValue: undefined, description: own });
    for (const [name, child] of entries) walk(child, [...path, name]);
  };
  walk(schema, []);
  return rows;
}

/** Strips optional, default and pipes (preprocess, transform), keeping the first description and default. */
function unwrap(node) {
  let current = node;
  let description;
  let defaultValue;
  for (let depth = 0; depth < 20; depth++) {
    description ??= current.description;
    const def = current._zod.def;
    if (def.type === 'default') {
      defaultValue ??= def.defaultValue;
      current = def.innerType;
    } else if (def.type === 'optional' || def.type === 'nullable') current = def.innerType;
    else if (def.type === 'pipe') current = def.in._zod.def.type === 'transform' ? def.out : def.in;
    else break;
  }
  return { base: current, description, defaultValue };
}

function typeName(schema) {
  const def = schema._zod.def;
  switch (def.type) {
    case 'enum':
      return Object.values(def.entries)
        .map((v) => JSON.stringify(v))
        .join(' \\| ');
    case 'array':
      return `${typeName(unwrap(def.element).base)}[]`;
    case 'object':
      return 'object';
    default:
      return def.type;
  }
}

export function renderConfigTable(schema) {
  const cell = (text) => String(text).replaceAll('|', '\\|').replaceAll('\n', ' ');
  const code = (text) => (text ? `\`${text}\`` : '');
  const lines = configRows(schema).map(({ key, type, defaultValue, description, sources }) => {
    const shown = defaultValue === undefined ? '' : code(JSON.stringify(defaultValue));
    const env = (sources?.env ?? []).map(code).join(', ');
    return `| \`${key}\` | ${type} | ${shown} | ${code(sources?.flag)} | ${env} | ${cell(description ?? '')} |`;
  });
  return ['| key | type | default | flag | env | meaning |', '|---|---|---|---|---|---|', ...lines].join(
    '\n',
  );
}

export function withConfigTable(readme, table) {
  const start = readme.indexOf(START);
  const end = readme.indexOf(END);
  if (start < 0 || end < start) throw new Error(`README.md has no ${START} ... ${END} markers`);
  return `${readme.slice(0, start + START.length)}\n${table}\n${readme.slice(end)}`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { configSchema } = await import('../dist/config/index.js');
  const readmePath = fileURLToPath(new URL('../README.md', import.meta.url));
  writeFileSync(
    readmePath,
    withConfigTable(readFileSync(readmePath, 'utf8'), renderConfigTable(configSchema)),
  );
}
