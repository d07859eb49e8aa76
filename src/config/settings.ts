// Settings a person can also give as a command-line flag or an environment variable, declared on their key
// of the config schema (`fromSources`), and the one overlay that lays those sources over the file's content.

import type { z } from 'zod';
import { OAuthToolError } from '../errors.js';

/** Where else a setting comes from, and how that meets the file's value. */
export interface SettingSources {
  /** The command-line flag, e.g. `--port`; `--no-browser` style flags are boolean and turn a setting off. */
  flag?: `--${string}`;
  /** Environment variables, the first one set wins. */
  env?: string[];
  /** How a flag or variable's text becomes the value. */
  kind: 'string' | 'number' | 'boolean' | 'list';
  /**
   * `override` (default): a flag, else a variable, over the file. `fallback`: the file over the variable
   * (a secret kept out of the file). `disable`: any source that is set and true turns the setting off.
   */
  mode?: 'override' | 'fallback' | 'disable';
}

/** The flags of the command line by name (`port`, `no-browser`), as node:util parseArgs returns them. */
export type ConfigFlags = Record<string, string | boolean | undefined>;

/** Declares a setting's flag and variables on its schema key. */
export function fromSources<T extends z.ZodType>(schema: T, sources: SettingSources): T {
  return schema.meta({ sources }) as T;
}

interface DeclaredSetting {
  path: string[];
  sources: SettingSources;
}

/** Every setting of `schema` that declares sources, with its dotted path, found by walking the object schemas. */
export function declaredSettings(schema: z.ZodType): DeclaredSetting[] {
  const found: DeclaredSetting[] = [];
  const walk = (node: z.ZodType, path: string[]) => {
    const sources = (node.meta() as { sources?: SettingSources } | undefined)?.sources;
    if (sources) found.push({ path, sources });
    const inner = unwrap(node);
    const def = inner._zod.def as { type: string; shape?: Record<string, z.ZodType> };
    if (def.type === 'object' && def.shape) {
      for (const [key, child] of Object.entries(def.shape)) walk(child, [...path, key]);
    }
  };
  walk(schema, []);
  return found;
}

function unwrap(node: z.ZodType): z.ZodType {
  let current = node;
  for (let depth = 0; depth < 20; depth++) {
    const def = current._zod.def as { type: string; innerType?: z.ZodType; in?: z.ZodType };
    if ((def.type === 'default' || def.type === 'optional' || def.type === 'nullable') && def.innerType)
      current = def.innerType;
    else if (def.type === 'pipe' && def.in) current = def.in;
    else break;
  }
  return current;
}

/**
 * Lays the flags and the environment over the file's raw content, before it is validated; returns which
 * flag or variable each dotted path came from, so a validation error can name it.
 */
export function applySources(
  raw: Record<string, unknown>,
  settings: DeclaredSetting[],
  env: NodeJS.ProcessEnv,
  flags: ConfigFlags,
): Map<string, string> {
  const used = new Map<string, string>();
  for (const { path, sources } of settings) {
    const fromFlag = sources.flag === undefined ? undefined : flags[sources.flag.slice(2)];
    const variable = sources.env?.find((name) => env[name] !== undefined && env[name] !== '');
    const fromEnv = variable === undefined ? undefined : (env[variable] as string);
    const current = valueAt(raw, path);
    const mode = sources.mode ?? 'override';
    if (mode === 'disable') {
      const off =
        fromFlag === true || (fromEnv !== undefined && parse(fromEnv, 'boolean', variable) === true);
      if (off) setAt(raw, path, false);
      continue;
    }
    if (fromFlag !== undefined) {
      setAt(raw, path, parse(fromFlag, sources.kind, sources.flag));
      used.set(path.join('.'), sources.flag as string);
    } else if (fromEnv !== undefined && (mode === 'override' || current === undefined)) {
      setAt(raw, path, parse(fromEnv, sources.kind, variable));
      used.set(path.join('.'), `${variable} (environment)`);
    }
  }
  return used;
}

function parse(text: string | boolean, kind: SettingSources['kind'], source: string | undefined): unknown {
  if (typeof text === 'boolean') return text;
  switch (kind) {
    case 'number': {
      const value = Number(text);
      if (text.trim() === '' || !Number.isFinite(value)) {
        throw new OAuthToolError('invalid_input', `${source} must be a number, not "${text}".`);
      }
      return value;
    }
    case 'boolean':
      return text !== '0' && text.toLowerCase() !== 'false';
    case 'list':
      return text
        .split(',')
        .map((item) => item.trim())
        .filter(Boolean);
    default:
      return text;
  }
}

function valueAt(raw: Record<string, unknown>, path: string[]): unknown {
  let node: unknown = raw;
  for (const key of path) {
    if (typeof node !== 'object' || node === null || !Object.hasOwn(node, key)) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

function setAt(raw: Record<string, unknown>, path: string[], value: unknown): void {
  let node = raw;
  for (const key of path.slice(0, -1)) {
    const next = Object.hasOwn(node, key) ? node[key] : undefined;
    // A section that is not an object stays as written, for the schema to name it.
    if (next !== undefined && (typeof next !== 'object' || next === null || Array.isArray(next))) return;
    if (next === undefined) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[path.at(-1) as string] = value;
}
