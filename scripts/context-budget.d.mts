// Types of context-budget.mjs for the TypeScript tests that import it.
export declare function contextBudget(toolCount: number): { modelVisible: number; toolsList: number };
