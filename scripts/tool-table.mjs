// The README's tool table, generated from the tool registry: `node scripts/tool-table.mjs` rewrites it
// from dist/ (run `npm run build` first); test/tools/definitions.test.ts fails when it is stale.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const START = '<!-- tool-table:start -->';
export const END = '<!-- tool-table:end -->';

/** One row per tool: name, toolset, read-only or not, and the first sentence of its description. */
export function renderToolTable(tools) {
  const rows = tools.map((tool) => {
    const summary = tool.description.split(/(?<=\.)\s(?=[A-Z`])/)[0].replaceAll('|', '\\|');
    const kind = tool.annotations.readOnlyHint
      ? 'read-only'
      : tool.annotations.destructiveHint
        ? 'destructive'
        : 'writes';
    return `| \`${tool.name}\` | ${tool.toolset} | ${kind} | ${summary} |`;
  });
  return ['| tool | toolset | kind | what it does |', '|---|---|---|---|', ...rows].join('\n');
}

export function withToolTable(readme, table) {
  const start = readme.indexOf(START);
  const end = readme.indexOf(END);
  if (start < 0 || end < start) throw new Error(`README.md has no ${START} ... ${END} markers`);
  return `${readme.slice(0, start + START.length)}\n${table}\n${readme.slice(end)}`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { ALL_TOOLS } = await import('../dist/tools/index.js');
  const readmePath = fileURLToPath(new URL('../README.md', import.meta.url));
  writeFileSync(readmePath, withToolTable(readFileSync(readmePath, 'utf8'), renderToolTable(ALL_TOOLS)));
}
