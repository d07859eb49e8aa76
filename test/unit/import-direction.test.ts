// Dependencies point one way: every import in src/ goes down the layer table below, never up or sideways.

import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = join(dirname(fileURLToPath(import.meta.url)), '../../src');

/** Which layer a file belongs to, by its path under src/ (first match wins). */
const LAYERS: ReadonlyArray<[layer: Layer, matches: RegExp]> = [
  ['cli', /^cli\.ts$/],
  ['cli/', /^cli\//],
  ['http', /^http\//],
  ['server', /^(server|runtime|index)\.ts$/],
  ['tools', /^tools\//],
  ['auth', /^auth\//],
  ['store', /^store\//],
  ['demo', /^demo\//],
  [
    'bottom',
    /^(config\.ts|config\/|log\.ts|errors\.ts|net\/|secrets\/|version\.ts|optional-package\.ts|quick-config\.ts|lru-cache\.ts|closest-name\.ts)/,
  ],
];

type Layer = 'cli' | 'cli/' | 'http' | 'server' | 'tools' | 'auth' | 'store' | 'demo' | 'bottom';

/**
 * The spec: cli -> (cli/, http) -> server -> tools -> auth -> store, with config, log, errors, net,
 * secrets and version at the bottom (importable by all, importing nothing above). demo/ is reached
 * only from the CLI: the --demo switch and the people's `demo` command. Imports inside one layer are always allowed.
 */
const MAY_IMPORT: Record<Layer, readonly Layer[]> = {
  cli: ['cli/', 'http', 'server', 'tools', 'auth', 'store', 'demo', 'bottom'],
  'cli/': ['server', 'tools', 'auth', 'store', 'demo', 'bottom'],
  http: ['server', 'tools', 'auth', 'store', 'bottom'],
  server: ['tools', 'auth', 'store', 'bottom'],
  tools: ['auth', 'bottom'],
  auth: ['store', 'bottom'],
  store: ['bottom'],
  demo: ['bottom'],
  bottom: [],
};

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? filesUnder(join(dir, entry.name))
      : entry.name.endsWith('.ts')
        ? [join(dir, entry.name)]
        : [],
  );
}

function layerOf(file: string): Layer | undefined {
  const path = relative(SRC, file).split('\\').join('/');
  return LAYERS.find(([, matches]) => matches.test(path))?.[0];
}

/** Relative specifiers of static imports, re-exports, side-effect imports and dynamic `import()`. */
function importsOf(text: string): string[] {
  const pattern = /(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+)['"](\.[^'"]+)['"]/gm;
  return [...text.matchAll(pattern)].map((match) => match[1] as string);
}

function resolve(from: string, specifier: string): string {
  return normalize(join(dirname(from), specifier)).replace(/\.js$/, '.ts');
}

const files = filesUnder(SRC);

describe('import direction', () => {
  it('places every file in src/ in a layer of the table', () => {
    const unplaced = files.filter((file) => layerOf(file) === undefined).map((file) => relative(SRC, file));
    expect(unplaced).toEqual([]);
  });

  it('finds the imports it checks (the parser sees static, type-only and dynamic imports)', () => {
    expect(
      importsOf(
        "import type { A } from './a.js';\nconst b = await import('../b.js');\nexport { c } from './c.js';",
      ),
    ).toEqual(['./a.js', '../b.js', './c.js']);
    const cli = files.find((file) => relative(SRC, file) === 'cli.ts') as string;
    expect(importsOf(readFileSync(cli, 'utf8')).length).toBeGreaterThan(3);
  });

  it('lets every layer import only the layers below it', () => {
    const upward: string[] = [];
    for (const file of files) {
      const from = layerOf(file) as Layer;
      for (const specifier of importsOf(readFileSync(file, 'utf8'))) {
        const target = resolve(file, specifier);
        const to = layerOf(target);
        if (to !== undefined && (to === from || MAY_IMPORT[from].includes(to))) continue;
        upward.push(`${relative(SRC, file)} (${from}) -> ${relative(SRC, target)} (${to ?? 'outside src'})`);
      }
    }
    expect(upward).toEqual([]);
  });

  it('keeps store backends apart: each takes lock, expiry and sealing from shared store modules', () => {
    const crossed: string[] = [];
    for (const file of files.filter((path) => layerOf(path) === 'store')) {
      const family = backendOf(file);
      if (family === undefined) continue;
      for (const specifier of importsOf(readFileSync(file, 'utf8'))) {
        const other = backendOf(resolve(file, specifier));
        if (other !== undefined && other !== family) crossed.push(`${relative(SRC, file)} -> ${specifier}`);
      }
    }
    expect(crossed).toEqual([]);
  });
});

describe('auth/ by capability', () => {
  const authFiles = files.filter((file) => layerOf(file) === 'auth');

  it('places every file of auth/ in a capability group of the order', () => {
    const unplaced = authFiles.filter((file) => !(groupOf(file) in GROUP_RANK)).map((file) => fromSrc(file));
    expect(unplaced).toEqual([]);
  });

  it('lets each group of auth/ import only the groups below it, never a sibling or one above', () => {
    const upward: string[] = [];
    for (const file of authFiles) {
      const from = groupOf(file);
      for (const specifier of importsOf(readFileSync(file, 'utf8'))) {
        const target = resolve(file, specifier);
        if (layerOf(target) !== 'auth') continue;
        const to = groupOf(target);
        if (to === from || (GROUP_RANK[to] ?? -1) > (GROUP_RANK[from] ?? Infinity)) continue;
        upward.push(`${fromSrc(file)} (${from}) -> ${fromSrc(target)} (${to})`);
      }
    }
    expect(upward).toEqual([]);
  });

  it('is entered only through its three doors: index (operations), engine, views', () => {
    const through: string[] = [];
    for (const file of files.filter((path) => layerOf(path) !== 'auth')) {
      for (const specifier of importsOf(readFileSync(file, 'utf8'))) {
        const target = fromSrc(resolve(file, specifier));
        if (target.startsWith('auth/') && !DOORS.has(target)) through.push(`${fromSrc(file)} -> ${target}`);
      }
    }
    expect(through).toEqual([]);
  });

  it('loads the operations lazily: outside the library entry, auth/index.ts is imported for types or by import()', () => {
    const eager = files
      .filter((file) => fromSrc(file) !== 'index.ts' && layerOf(file) !== 'auth')
      .filter((file) =>
        staticValueImportsOf(readFileSync(file, 'utf8')).some(
          (specifier) => fromSrc(resolve(file, specifier)) === 'auth/index.ts',
        ),
      )
      .map((file) => fromSrc(file));
    expect(eager).toEqual([]);
  });

  it('keeps the MCP SDK out of auth/ and store/, and the OAuth libraries inside auth/', () => {
    const misplaced: string[] = [];
    for (const file of files) {
      const layer = layerOf(file);
      for (const pkg of packagesOf(readFileSync(file, 'utf8'))) {
        if (pkg.startsWith('@modelcontextprotocol/') && (layer === 'auth' || layer === 'store'))
          misplaced.push(`${fromSrc(file)} -> ${pkg}`);
        if (OAUTH_LIBRARIES.includes(pkg) && layer !== 'auth') misplaced.push(`${fromSrc(file)} -> ${pkg}`);
      }
    }
    expect(misplaced).toEqual([]);
  });

  it('names no MCP tool in its texts: next steps are structured, and tools/ or the CLI word them', () => {
    const toolNames = files
      .filter((file) => layerOf(file) === 'tools')
      .flatMap((file) =>
        [...readFileSync(file, 'utf8').matchAll(/\bname: '(oauth_[a-z_]+)'/g)].map((m) => m[1]),
      );
    expect(toolNames).toContain('oauth_authenticate_user');
    const naming = authFiles
      .filter((file) => fromSrc(file) !== 'auth/views.ts')
      .flatMap((file) => {
        const code = readFileSync(file, 'utf8')
          .replace(/\/\*[\s\S]*?\*\//g, '')
          .replace(/^\s*\/\/.*$/gm, '');
        return toolNames
          .filter((name) => code.includes(name as string))
          .map((name) => `${fromSrc(file)}: ${name}`);
      });
    expect(naming).toEqual([]);
  });

  it('finds the packages and the eager imports it checks', () => {
    const text =
      "import * as client from 'openid-client';\nimport type { A } from '../auth/index.js';\nimport { b } from '../auth/index.js';\nconst c = await import('jose');\nimport x from '@modelcontextprotocol/server/stdio';";
    expect(packagesOf(text)).toEqual(['openid-client', 'jose', '@modelcontextprotocol/server']);
    expect(staticValueImportsOf(text)).toEqual(['../auth/index.js']);
  });
});

/**
 * The capability groups of auth/, highest first: a group imports only groups ranked below it. Siblings
 * (the same rank) never import each other. The kernel is every file at auth/'s root not named here.
 */
const GROUP_RANK: Record<string, number> = {
  index: 0,
  engine: 1,
  diagnostics: 2,
  'sign-in': 2,
  api: 2,
  tokens: 3,
  registration: 4,
  sessions: 4,
  'engine-context': 5,
  repository: 6,
  provider: 7,
  kernel: 8,
};

/** What code outside auth/ may import: the operations, the engine factory, the zod views. */
const DOORS = new Set(['auth/index.ts', 'auth/engine.ts', 'auth/views.ts']);

const OAUTH_LIBRARIES = ['openid-client', 'oauth4webapi', 'jose'];

function fromSrc(file: string): string {
  return relative(SRC, file).split('\\').join('/');
}

/** A file's group: its folder under auth/, or for a root file its name when ranked, else the kernel. */
function groupOf(file: string): string {
  const [first, ...rest] = fromSrc(file).slice('auth/'.length).split('/');
  if (rest.length > 0) return first as string;
  const name = (first as string).replace(/\.ts$/, '');
  return name in GROUP_RANK ? name : 'kernel';
}

/** Package names imported statically or dynamically (`@scope/name` without its subpath). */
function packagesOf(text: string): string[] {
  const pattern = /(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+)['"]([^'".][^'"]*)['"]/gm;
  return [...text.matchAll(pattern)]
    .map((match) => match[1] as string)
    .filter((name) => !name.startsWith('node:'))
    .map((name) =>
      name
        .split('/')
        .slice(0, name.startsWith('@') ? 2 : 1)
        .join('/'),
    );
}

/** Relative specifiers of static imports that load the module (not `import type`, not `import()`). */
function staticValueImportsOf(text: string): string[] {
  const pattern = /^\s*(?:import|export)\s+(?!type\b)(?:[^'";]*?\bfrom\s*)?['"](\.[^'"]+)['"]/gm;
  return [...text.matchAll(pattern)].map((match) => match[1] as string);
}

/** The backend family of a store module (`file-store-codec.ts` is the file store's); shared and composing modules have none. */
function backendOf(file: string): string | undefined {
  return /^store\/(memory|file|keychain|redis)-/.exec(relative(SRC, file).split('\\').join('/'))?.[1];
}
