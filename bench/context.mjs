// Benchmark 0, context: the bytes oauth-mcp puts into every conversation. The SDK v2 client lists the
// tools of the built binary; "model-visible" is what hosts send to the model for a tool (name,
// description, input schema), "tools/list" the whole answer (titles, output schemas, annotations too).
// Bytes are exact, so these rows are not noisy; each ratio is the size over its target.

import { contextBudget } from '../scripts/context-budget.mjs';
import { CLI, connect, tempConfig } from './lib/processes.mjs';
import { row } from './lib/stats.mjs';

const KB = 1024;

/** JSON bytes (UTF-8) of a value as it travels on the wire (no indentation). */
export const wireBytes = (value) => Buffer.byteLength(JSON.stringify(value));

/** What hosts send to the model for one tool. */
export const modelVisible = (tool) => ({
  name: tool.name,
  description: tool.description,
  inputSchema: tool.inputSchema,
});

export async function context() {
  const config = tempConfig({ providers: {}, store: { type: 'memory' } });
  const server = await connect([CLI, '--config', config.path]);
  try {
    const result = await server.client.listTools();
    const { tools } = result;
    const budget = contextBudget(tools.length);
    const toolsets = await toolsetsOf(tools);
    const total = wireBytes(result);
    const visible = tools.reduce((sum, tool) => sum + wireBytes(modelVisible(tool)), 0);
    const part = (pick) => tools.reduce((sum, tool) => sum + wireBytes(pick(tool) ?? ''), 0);
    const kb = (bytes) => bytes / KB;
    const rows = [
      row({
        bench: 'context',
        metric: `model-visible bytes, all ${tools.length} tools`,
        value: kb(visible),
        unit: 'KB',
        ratio: visible / budget.modelVisible,
        target: ['<=', 1],
        detail: `name + description + input schema; target ${kb(budget.modelVisible).toFixed(2)} KB (12 KB per 16 tools)`,
      }),
      row({
        bench: 'context',
        metric: 'tools/list bytes',
        value: kb(total),
        unit: 'KB',
        ratio: total / budget.toolsList,
        target: ['<=', 1],
        detail: `descriptions ${kb(part((t) => t.description)).toFixed(1)} KB, input schemas ${kb(part((t) => t.inputSchema)).toFixed(1)} KB, output schemas ${kb(part((t) => t.outputSchema)).toFixed(1)} KB; target ${kb(budget.toolsList).toFixed(1)} KB (32 KB per 16 tools)`,
      }),
    ];
    for (const [toolset, names] of Object.entries(toolsets)) {
      const members = tools.filter((tool) => names.includes(tool.name));
      rows.push(
        row({
          bench: 'context',
          metric: `toolset ${toolset}, model-visible / tools/list`,
          value: kb(members.reduce((sum, tool) => sum + wireBytes(modelVisible(tool)), 0)),
          unit: 'KB',
          detail: `${kb(members.reduce((sum, tool) => sum + wireBytes(tool), 0)).toFixed(2)} KB listed; ${names.join(', ')}`,
        }),
      );
    }
    for (const tool of tools) {
      rows.push(
        row({
          bench: 'context',
          metric: `${tool.name}, model-visible / tools/list`,
          value: kb(wireBytes(modelVisible(tool))),
          unit: 'KB',
          detail: `${kb(wireBytes(tool)).toFixed(2)} KB listed`,
        }),
      );
    }
    return { rows };
  } finally {
    await server.close();
    config.remove();
  }
}

/** Tool names per toolset, as the binary serves them with --toolsets (the registry's own grouping). */
async function toolsetsOf(tools) {
  const { TOOLSETS } = await import('../dist/tools/tool.js');
  const { ALL_TOOLS } = await import('../dist/tools/index.js');
  const listed = new Set(tools.map((tool) => tool.name));
  return Object.fromEntries(
    TOOLSETS.map((toolset) => [
      toolset,
      ALL_TOOLS.filter((tool) => tool.toolset === toolset && listed.has(tool.name)).map((tool) => tool.name),
    ]).filter(([, names]) => names.length > 0),
  );
}
