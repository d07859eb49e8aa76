export interface ApiEntry {
  name: string;
  kind: string | undefined;
  file: string;
  text: string;
  examples: string[];
  sees: string[];
}
export function apiEntries(): ApiEntry[];
export function apiPage(): string;
