// The whole server suite of the MCP conformance tests against the real HTTP process (`--demo`, loopback,
// no resource-server auth), as a ratchet: scenarios that do not apply are listed, each with its reason, in
// conformance-baseline.yaml (conformance-baseline-<version>.yaml for the Node 22 leg's newer suite); any other failure, or a listed scenario that starts passing, fails the test.

import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type HttpServerProcess, startHttpProcess } from '../helpers/http-server-process.js';
import { CONFORMANCE_BASELINE as BASELINE, CONFORMANCE, CONFORMANCE_VERSION } from '../helpers/mcp-tools.js';

const run = promisify(execFile);

describe(`MCP conformance ${CONFORMANCE_VERSION} (whole server suite)`, () => {
  let server: HttpServerProcess;
  beforeAll(async () => {
    server = await startHttpProcess({ config: { store: { type: 'memory' } }, args: ['--demo'] });
  });
  afterAll(() => server?.stop());

  it('gives every baseline entry a reason', () => {
    const entries = readFileSync(BASELINE, 'utf8')
      .split('\n')
      .filter((line) => line.trimStart().startsWith('- '));
    expect(entries.length).toBeGreaterThan(0);
    for (const entry of entries) expect(entry, entry).toMatch(/^ {2}- [a-z0-9-]+ # \S.{10,}$/);
  });

  it('passes every scenario outside the baseline, and every baseline entry still fails', async () => {
    const [node, bin] = CONFORMANCE;
    const result = await run(
      node,
      [bin, 'server', '--url', server.mcpUrl, '--suite', 'all', '--expected-failures', BASELINE],
      { timeout: 240_000, maxBuffer: 16 * 1024 * 1024 },
    ).catch((error: { stdout?: string; code?: number }) => error);
    const stdout = result.stdout ?? '';
    expect(stdout, stdout.slice(stdout.indexOf('=== SUMMARY'))).toContain('Baseline check passed');
    for (const scenario of [
      'server-initialize',
      'ping',
      'tools-list',
      'logging-set-level',
      'dns-rebinding-protection',
    ]) {
      expect(stdout).toMatch(new RegExp(`✓ ${scenario}: [1-9]\\d* passed, 0 failed`));
    }
  }, 250_000);
});
