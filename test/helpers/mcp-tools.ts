// Which MCP conformance suite and Inspector the tests drive: the repository's own (Node 20) or, on the
// Node 22 leg, the newer ones .ci/run installs next to node@22 (OAUTH_MCP_NODE22_TOOLS names that folder).

import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { join, resolve } from 'node:path';

const NODE_MAJOR = Number(process.versions.node.split('.')[0]);
const NEWER = process.env.OAUTH_MCP_NODE22_TOOLS;
const ROOT = NEWER && NODE_MAJOR >= 22 ? NEWER : resolve(import.meta.dirname, '../..');
const PACKAGES = join(ROOT, 'node_modules', '@modelcontextprotocol');

function version(name: string): string {
  const path = join(PACKAGES, name, 'package.json');
  if (!existsSync(path)) throw new Error(`${path} is missing: install @modelcontextprotocol/${name}`);
  return (JSON.parse(readFileSync(path, 'utf8')) as { version: string }).version;
}

/** The command that runs a tool's bin on this test's own Node (the bins' `env node` may be another one). */
function command(bin: string): [string, string] {
  return [process.execPath, realpathSync(join(ROOT, 'node_modules', '.bin', bin))];
}

export const CONFORMANCE_VERSION = version('conformance');
export const CONFORMANCE = command('conformance');
/** 0.1.13 keeps conformance-baseline.yaml; any other version has its own file. */
export const CONFORMANCE_BASELINE = resolve(
  import.meta.dirname,
  '../http',
  CONFORMANCE_VERSION === '0.1.13'
    ? 'conformance-baseline.yaml'
    : `conformance-baseline-${CONFORMANCE_VERSION}.yaml`,
);
export const INSPECTOR_VERSION = version('inspector');
export const INSPECTOR = command('mcp-inspector');
