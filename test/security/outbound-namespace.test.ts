// Private and link-local destinations end to end, inside a network namespace with only `lo` (unshare -n)
// and its own /etc/hosts (unshare -m): names that resolve to 10.x or 169.254.169.254, and those
// addresses spelled directly, are refused before any connection unless the config names them.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI } from '../helpers/mcp-server-process.js';

const PRIVATE = '10.1.2.3';
const METADATA = '169.254.169.254';
const PORT = 8443;
const PROBE = resolve(import.meta.dirname, 'fixtures/namespace-probe.mjs');

/** Namespaces need root (or user namespaces); where they are unavailable this suite cannot run. */
const canUnshare =
  spawnSync('unshare', ['-n', '-m', 'sh', '-c', 'ip link set lo up'], { stdio: 'ignore' }).status === 0;
/** CI installs iproute2 (.ci/run) and runs as root: there the suite must run, never skip silently. */
const inCI = process.env.CI !== undefined && !['', '0', 'false'].includes(process.env.CI);

describe.runIf(inCI)('the network namespace suite in CI', () => {
  it('can run: `unshare -n -m` and `ip` work (install iproute2 and util-linux, run as root)', () => {
    expect(canUnshare).toBe(true);
  });
});

interface Probe {
  issuer: string;
  error?: { code: string; message: string };
  connected: string[];
}

describe.runIf(canUnshare)('private and metadata addresses inside a network namespace', () => {
  let dir: string;
  let results: Probe[][];

  const refusedSpellings = [
    `https://internal.test:${PORT}`,
    `https://metadata-alias.test:${PORT}`,
    `https://${PRIVATE}:${PORT}`,
    `https://${METADATA}:${PORT}`,
    `https://2852039166:${PORT}`,
    `https://0xa9.0xfe.0xa9.0xfe:${PORT}`,
    `https://[::ffff:${METADATA}]:${PORT}`,
    `https://metadata.google.internal:${PORT}`,
  ];

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'oauth-mcp-netns-'));
    const hosts = join(dir, 'hosts');
    writeFileSync(
      hosts,
      `127.0.0.1 localhost\n${PRIVATE} internal.test\n${METADATA} metadata-alias.test metadata.google.internal\n`,
    );
    const probes = [
      { config: {}, issuers: refusedSpellings },
      // Controls: the listeners are reachable, so "no connection" above is the policy's doing.
      { config: { network: { allowPrivate: true } }, issuers: [`https://internal.test:${PORT}`] },
      {
        config: { providers: { corp: { issuer: `https://metadata-alias.test:${PORT}`, clientId: 'c' } } },
        issuers: [`https://metadata-alias.test:${PORT}`, `https://internal.test:${PORT}`],
      },
    ];
    const script = [
      `mount --bind ${hosts} /etc/hosts`,
      'ip link set lo up',
      `ip addr add ${PRIVATE}/32 dev lo`,
      `ip addr add ${METADATA}/32 dev lo`,
      `exec "${process.execPath}" "${PROBE}" "${CLI}" ${PORT} ${PRIVATE} ${METADATA}`,
    ].join(' && ');
    const run = spawnSync('unshare', ['-n', '-m', 'sh', '-c', script], {
      env: { ...process.env, PROBES: JSON.stringify(probes) },
      encoding: 'utf8',
      timeout: 60_000,
    });
    if (run.status !== 0) throw new Error(`the namespace probe failed: ${run.stderr}`);
    results = JSON.parse(run.stdout) as Probe[][];
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses every spelling of a private or link-local destination before connecting', () => {
    const refused = results[0] ?? [];
    expect(refused.map((probe) => probe.issuer)).toEqual(refusedSpellings);
    for (const probe of refused) {
      expect(probe.connected, probe.issuer).toEqual([]);
      expect(probe.error?.code, probe.issuer).toBe('network_error');
    }
  });

  it('gives one answer whether the name resolved privately or the address was spelled out', () => {
    const messages = (results[0] ?? []).map((probe) =>
      probe.error?.message.replace(probe.issuer, 'ISSUER').replace(new URL(probe.issuer).origin, 'ORIGIN'),
    );
    expect(new Set(messages).size).toBe(1);
  });

  it('connects with network.allowPrivate', () => {
    expect(results[1]?.[0]?.connected).toEqual([PRIVATE]);
  });

  it('connects to a configured issuer on a private address, and to nothing else private', () => {
    const [configured, other] = results[2] ?? [];
    expect(configured?.connected).toEqual([METADATA]);
    expect(other?.connected).toEqual([]);
  });
});
