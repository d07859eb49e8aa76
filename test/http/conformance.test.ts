// The MCP conformance suite's server scenarios that apply to a server without the reference test_*
// tools, run against the real HTTP process (`--demo`, loopback, no resource-server auth).

import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type HttpServerProcess, startHttpProcess } from '../helpers/http-server-process.js';

const run = promisify(execFile);
const CONFORMANCE = resolve(import.meta.dirname, '../../node_modules/.bin/conformance');

describe('MCP conformance (server scenarios)', () => {
  let server: HttpServerProcess;
  beforeAll(async () => {
    server = await startHttpProcess({ config: { store: { type: 'memory' } }, args: ['--demo'] });
  });
  afterAll(() => server?.stop());

  it.each(['server-initialize', 'ping', 'tools-list', 'logging-set-level', 'dns-rebinding-protection'])(
    'passes %s',
    async (scenario) => {
      const { stdout } = await run(CONFORMANCE, ['server', '--url', server.mcpUrl, '--scenario', scenario], {
        timeout: 60_000,
      });
      expect(stdout).toMatch(/Passed: (\d+)\/\1, 0 failed/);
    },
    60_000,
  );
});
