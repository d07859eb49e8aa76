// store.type auto: the keychain is probed once on first use; without a usable Secret Service the file store
// is used after at most the probe timeout, with one warning that says why, where and whether it is encrypted.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log.js';
import { openStore } from '../../src/store/index.js';
import { DEFAULT_PROBE_TIMEOUT_MS } from '../../src/store/keychain-probe.js';
import { KEYCHAIN_SERVICE } from '../../src/store/keychain-store.js';
import { useAuthorizationServer } from '../helpers/authorization-server.js';
import { type ServerProcess, startServerProcess } from '../helpers/mcp-server-process.js';
import { keyringSkipReason, secretTool, startSilentBus } from '../helpers/secret-service.js';

/** What the first store call may cost beyond the probe timeout: process start-up on a busy 2-core machine. */
const SLACK_MS = 1_000;
const NO_BUS = 'unix:path=/nonexistent/oauth-mcp-test-bus';

let silentBus: Awaited<ReturnType<typeof startSilentBus>>;
let dir: string;

beforeAll(async () => {
  silentBus = await startSilentBus();
});
afterAll(async () => {
  await silentBus.close();
});

function openAuto(env: NodeJS.ProcessEnv, key?: string) {
  dir = mkdtempSync(join(tmpdir(), 'oauth-mcp-auto-'));
  const warnings: string[] = [];
  const logger = createLogger({ level: 'warn', write: (line) => void warnings.push(line) });
  const store = openStore({
    config: { type: 'auto', ...(key ? { key } : {}) },
    logger,
    env: { ...env, XDG_DATA_HOME: dir },
  });
  return { store, warnings };
}

afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('store.type auto without a Secret Service', () => {
  it('uses the file store with one warning that says why, where, that it is not encrypted and how to enable the keychain', async () => {
    const { store: opening, warnings } = openAuto({
      PATH: process.env.PATH,
      DBUS_SESSION_BUS_ADDRESS: NO_BUS,
    });
    const store = await opening;
    expect(warnings).toEqual([]); // opening probes nothing
    await Promise.all([store.set('session:a', 'one'), store.get('session:b'), store.keys('session:')]);
    await store.set('session:c', 'two');
    expect(await store.get('session:a')).toBe('one');
    expect(store.info).toMatchObject({
      backend: 'file',
      encrypted: false,
      location: join(dir, 'oauth-mcp', 'tokens.json'),
      reason: expect.stringMatching(/^store\.type auto: the OS keychain is not usable \(.*nonexistent/),
    });
    expect(existsSync(join(dir, 'oauth-mcp', 'tokens.json'))).toBe(true);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(join(dir, 'oauth-mcp', 'tokens.json'));
    expect(warnings[0]).toMatch(/NOT encrypted: set OAUTH_MCP_STORE_KEY/);
    expect(warnings[0]).toMatch(/Secret Service/);
    await store.close();
  });

  it('says it once per token file, in one line: a later run on the same file is quiet', async () => {
    const env = { PATH: process.env.PATH, DBUS_SESSION_BUS_ADDRESS: NO_BUS };
    const first = openAuto(env);
    const store = await first.store;
    await store.set('session:a', 'one');
    await store.close();
    expect(first.warnings).toHaveLength(1);
    expect(first.warnings[0]?.trimEnd().split('\n')).toHaveLength(1);
    const again = await openStore({
      config: { type: 'auto' },
      logger: createLogger({ level: 'warn', write: (line) => void first.warnings.push(line) }),
      env: { ...env, XDG_DATA_HOME: dir },
    });
    expect(await again.get('session:a')).toBe('one');
    expect(first.warnings).toHaveLength(1);
    await again.close();
  });

  it('says the file is encrypted when OAUTH_MCP_STORE_KEY is given', async () => {
    const { store: opening, warnings } = openAuto(
      { PATH: process.env.PATH, DBUS_SESSION_BUS_ADDRESS: NO_BUS },
      'a-store-key-of-sufficient-length',
    );
    const store = await opening;
    await store.set('session:a', 'one');
    expect(store.info).toMatchObject({ backend: 'file', encrypted: true });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/\(encrypted with OAUTH_MCP_STORE_KEY/);
    await store.close();
  });

  it('gives up on a session bus that never answers after the probe timeout', async () => {
    const { store: opening, warnings } = openAuto({
      PATH: process.env.PATH,
      DBUS_SESSION_BUS_ADDRESS: silentBus.address,
    });
    const store = await opening;
    const started = performance.now();
    expect(await store.get('session:a')).toBeUndefined();
    const waited = performance.now() - started;
    expect(waited).toBeGreaterThanOrEqual(DEFAULT_PROBE_TIMEOUT_MS - 50);
    expect(waited).toBeLessThan(DEFAULT_PROBE_TIMEOUT_MS + SLACK_MS);
    expect(store.info.backend).toBe('file');
    expect(store.info.reason).toMatch(/did not answer within 1500 ms/);
    const again = performance.now();
    await store.set('session:a', 'one');
    expect(performance.now() - again).toBeLessThan(500);
    expect(warnings).toHaveLength(1);
    await store.close();
  });
});

describe('store.type auto through the built server (dist/cli.js) on a bus that never answers', () => {
  const as = useAuthorizationServer();
  let server: ServerProcess;
  let serverDir: string;

  beforeAll(async () => {
    serverDir = mkdtempSync(join(tmpdir(), 'oauth-mcp-auto-e2e-'));
    const { confidential } = as().clients;
    server = await startServerProcess({
      dir: serverDir,
      env: { DBUS_SESSION_BUS_ADDRESS: silentBus.address },
      config: {
        store: { type: 'auto' },
        providers: {
          work: {
            issuer: as.issuer,
            clientId: confidential.clientId,
            clientSecret: confidential.clientSecret,
          },
        },
        defaultProvider: 'work',
      },
    });
  });

  afterAll(async () => {
    await server?.close();
    rmSync(serverDir, { recursive: true, force: true });
  });

  it('delays the first tool call by no more than the probe timeout, then uses the file store and warns once', async () => {
    expect(server.stderr()).not.toMatch(/keychain is not usable/); // start-up probed nothing
    // Discovery needs no store: it loads the HTTP and OAuth code, so the call timed below measures the
    // keychain probe and one grant, not module loading on a busy machine.
    expect((await server.call('oauth_discover', {})).isError).toBeFalsy();
    expect(server.stderr()).not.toMatch(/keychain is not usable/);
    const started = performance.now();
    const first = await server.call('oauth_client_credentials', {});
    const waited = performance.now() - started;
    expect(first.isError).toBeFalsy();
    expect(waited).toBeLessThan(DEFAULT_PROBE_TIMEOUT_MS + SLACK_MS);

    const again = performance.now();
    const listed = await server.call('oauth_list_sessions', {});
    expect(performance.now() - again).toBeLessThan(500);
    expect(listed.structuredContent.sessions).toHaveLength(1);
    const tokens = join(serverDir, 'data', 'oauth-mcp', 'tokens.json');
    expect(listed.structuredContent.store).toEqual({
      backend: 'file',
      location: tokens,
      encrypted: false,
      reason: expect.stringMatching(
        /store\.type auto: the OS keychain is not usable \(.*did not answer within/,
      ),
    });
    expect(existsSync(tokens)).toBe(true);
    await server.call('oauth_list_sessions', {});
    expect(server.stderr().match(/The OS keychain is not usable/g)).toHaveLength(1);
  });
});

const skipReason = await keyringSkipReason();
if (skipReason) console.warn(`store auto keychain test skipped: ${skipReason}`);
describe.skipIf(skipReason)('store.type auto with a usable Secret Service', () => {
  it('settles on the keychain and says so in info.reason', async () => {
    const { store: opening, warnings } = openAuto(process.env);
    const store = await opening;
    try {
      await store.set('session:auto-test', 'in the keychain');
      expect(store.info).toMatchObject({
        backend: 'keychain',
        encrypted: true,
        location: `Secret Service (D-Bus), service "${KEYCHAIN_SERVICE}"`,
        reason: expect.stringMatching(/store\.type auto: the OS keychain .* answered the probe/),
      });
      expect(await secretTool.lookup(KEYCHAIN_SERVICE, 'session:auto-test')).toContain('in the keychain');
      expect(warnings).toEqual([]);
      await store.delete('session:auto-test');
    } finally {
      await store.close();
    }
  });
});
