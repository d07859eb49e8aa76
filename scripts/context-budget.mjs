// The context budget of tools/list (issue 22): for 16 tools, what hosts send the model (name,
// description, input schema) at most 12 KB and the whole answer at most 32 KB; a tool added since
// brings its share. Used by the context benchmark and by test/tools/advertised-schemas.test.ts.

const KB = 1024;
const PER_16_TOOLS = { modelVisible: 12 * KB, toolsList: 32 * KB };

/** The byte budgets for `toolCount` tools. */
export function contextBudget(toolCount) {
  const share = toolCount / 16;
  return {
    modelVisible: Math.round(PER_16_TOOLS.modelVisible * share),
    toolsList: Math.round(PER_16_TOOLS.toolsList * share),
  };
}
