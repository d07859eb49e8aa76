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
  ['server', /^(server|runtime|create-engine|index)\.ts$/],
  ['tools', /^tools\//],
  ['auth', /^auth\//],
  ['store', /^store\//],
  ['demo', /^demo\//],
  [
    'bottom',
    /^(config\.ts|config\/|log\.ts|errors\.ts|net\/|secrets\/|version\.ts|optional-package\.ts|quick-config\.ts|lru-cache\.ts)/,
  ],
];

type Layer = 'cli' | 'cli/' | 'http' | 'server' | 'tools' | 'auth' | 'store' | 'demo' | 'bottom';

/**
 * The spec: cli -> (cli/, http) -> server -> tools -> auth -> store, with config, log, errors, net,
 * secrets and version at the bottom (importable by all, importing nothing above). demo/ is reached
 * only from the CLI's --demo switch. Imports inside one layer are always allowed.
 */
const MAY_IMPORT: Record<Layer, readonly Layer[]> = {
  cli: ['cli/', 'http', 'server', 'tools', 'auth', 'store', 'demo', 'bottom'],
  'cli/': ['server', 'tools', 'auth', 'store', 'bottom'],
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

  it('keeps raw tokens inside auth/: tools/ never import the repository of records or token fingerprints', () => {
    const reaching = files
      .filter((file) => layerOf(file) === 'tools')
      .flatMap((file) =>
        importsOf(readFileSync(file, 'utf8'))
          .map((specifier) => relative(SRC, resolve(file, specifier)).split('\\').join('/'))
          .filter((target) => target.startsWith('auth/repository/') || target === 'auth/secret.ts')
          .map((target) => `${relative(SRC, file)} -> ${target}`),
      );
    expect(reaching).toEqual([]);
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

/** The backend family of a store module (`file-store-codec.ts` is the file store's); shared and composing modules have none. */
function backendOf(file: string): string | undefined {
  return /^store\/(memory|file|keychain|redis)-/.exec(relative(SRC, file).split('\\').join('/'))?.[1];
}
