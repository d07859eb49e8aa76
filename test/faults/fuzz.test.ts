// Fault suite, fuzzing: thousands of random and malformed arguments per tool through a real SDK client
// and server (in-process), against the real oidc-provider. Every answer must be a valid MCP result (or
// an invalid-params protocol error), with no crash, hang, unhandled rejection or leaked secret.
// Every generated URL is on loopback, and a tripwire on DNS and sockets proves it: no name is resolved and
// no address is connected to off this machine, even where the outbound policy would refuse it after resolving.

import dns, { type LookupAddress } from 'node:dns';
import { syncBuiltinESMExports } from 'node:module';
import net from 'node:net';
import { ProtocolError } from '@modelcontextprotocol/client';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../src/errors.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import { useAuthorizationServer } from '../helpers/authorization-server.js';
import { type InProcessServer, startInProcess, type ToolResult } from '../helpers/in-process-server.js';
import { signedInSession } from '../helpers/signed-in-session.js';

/** Runs per tool and generator (two generators, so 1,000 inputs per tool); FUZZ_RUNS=5000 for a soak. */
const RUNS = Number(process.env.FUZZ_RUNS ?? 500);
const CALL_LIMIT_MS = 15_000;
const INVALID_PARAMS = -32602;

const as = useAuthorizationServer();
let server: InProcessServer;
let store: MemoryStore;
let tools: { name: string; keys: string[] }[] = [];
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);

/** Names looked up and addresses connected to that are not on this machine; they are refused, not reached. */
const offMachine: string[] = [];
const loopback = new net.BlockList();
loopback.addSubnet('127.0.0.0', 8, 'ipv4');
loopback.addAddress('::1', 'ipv6');
loopback.addSubnet('::ffff:127.0.0.0', 104, 'ipv6');

function onThisMachine(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '');
  const family = net.isIP(bare);
  if (family === 0) return bare.toLowerCase() === 'localhost';
  return loopback.check(bare, family === 4 ? 'ipv4' : 'ipv6');
}

const realLookup = dns.lookup;
const realPromisesLookup = dns.promises.lookup;
const realConnect = net.Socket.prototype.connect;

/** Lookups of other names fail as unresolvable (ENOTFOUND) and are recorded; loopback ones resolve as usual. */
function installTripwire(): void {
  dns.lookup = ((hostname: string, ...rest: unknown[]) => {
    if (onThisMachine(hostname)) return (realLookup as (...args: unknown[]) => void)(hostname, ...rest);
    offMachine.push(`lookup ${hostname}`);
    const callback = rest.at(-1) as (error: Error, address?: string | LookupAddress[]) => void;
    const error = Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
    process.nextTick(() => callback(error));
  }) as typeof dns.lookup;
  dns.promises.lookup = (async (hostname: string, options?: dns.LookupOptions) => {
    if (onThisMachine(hostname)) return realPromisesLookup(hostname, options ?? {});
    offMachine.push(`lookup ${hostname}`);
    throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
  }) as typeof dns.promises.lookup;
  net.Socket.prototype.connect = function (this: net.Socket, ...args: unknown[]) {
    // net.connect() hands its arguments over normalized, as one array [options, callback].
    const [first, second] = Array.isArray(args[0]) ? (args[0] as unknown[]) : args;
    const host =
      typeof first === 'object' && first !== null
        ? (first as { host?: string; path?: string }).path === undefined
          ? ((first as { host?: string }).host ?? 'localhost')
          : undefined
        : typeof first === 'number' || (typeof first === 'string' && /^\d+$/.test(first))
          ? typeof second === 'string'
            ? second
            : 'localhost'
          : undefined;
    // A name is checked by the lookup it goes through; an address literal here.
    if (host !== undefined && net.isIP(host.replace(/^\[|\]$/g, '')) && !onThisMachine(host)) {
      offMachine.push(`connect ${host}`);
      process.nextTick(() =>
        this.destroy(Object.assign(new Error(`connect EHOSTUNREACH ${host}`), { code: 'EHOSTUNREACH' })),
      );
      return this;
    }
    return (realConnect as (...a: unknown[]) => net.Socket).apply(this, args);
  } as typeof net.Socket.prototype.connect;
  // `import { lookup } from 'node:dns'` bindings (the outbound fetch's) follow the patched module.
  syncBuiltinESMExports();
}

function removeTripwire(): void {
  dns.lookup = realLookup;
  dns.promises.lookup = realPromisesLookup;
  net.Socket.prototype.connect = realConnect;
  syncBuiltinESMExports();
}

beforeAll(async () => {
  installTripwire();
  process.on('unhandledRejection', onUnhandled);
  process.on('uncaughtException', onUnhandled);
  const { confidential, public: publicClient } = as().clients;
  // signed-in users with refresh tokens, so session tools also run their real paths under fuzzing
  store = new MemoryStore({ reason: 'fuzzing' });
  for (const login of ['alice', 'bob']) await signedInSession(as(), store, { login });
  server = await startInProcess(
    {
      providers: {
        demo: { issuer: as.issuer, ...confidential, scopes: ['openid', 'offline_access', 'api:read'] },
        'demo-public': { issuer: as.issuer, clientId: publicClient.clientId },
      },
      defaultProvider: 'demo',
      timeoutMs: 2_000,
      openBrowser: false,
    },
    { store },
  );
  const listed = await server.client.listTools();
  tools = listed.tools.map((tool) => ({
    name: tool.name,
    keys: Object.keys(tool.inputSchema.properties ?? {}),
  }));
});

afterAll(async () => {
  await server?.close();
  await store?.close();
  process.off('unhandledRejection', onUnhandled);
  process.off('uncaughtException', onUnhandled);
  removeTripwire();
});

/** Values a model (or an attacker) might put in any field: wrong types, huge, odd, and plausible ones. */
const anyValue = fc.oneof(
  fc.anything(),
  fc.string(),
  fc.string({ unit: 'binary', maxLength: 64 }),
  fc.constantFrom(
    'demo',
    'demo-public',
    'nope',
    '',
    ' ',
    'openid',
    'ses_x',
    'flw_abcdefghij',
    '../../etc/passwd',
  ),
  fc.constantFrom('http://127.0.0.1:1/', 'https://localhost:1/', 'javascript:alert(1)', 'file:///etc/passwd'),
  // URLs of any shape on loopback hosts only: no test resolves a public name or reaches off this machine
  fc
    .tuple(
      fc.constantFrom('http', 'https'),
      fc.constantFrom('127.0.0.1', '127.1.2.3', '[::1]', 'localhost'),
      fc.integer({ min: 1, max: 65_535 }),
      fc.webPath(),
    )
    .map(([scheme, host, port, path]) => `${scheme}://${host}:${port}${path}`),
  fc.array(fc.string(), { maxLength: 5 }),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.integer({ min: 16_385, max: 70_000 }).map((n) => 'a'.repeat(n)), // past every max length
);

/** Arguments shaped like the tool's input (its own keys, any values), or anything at all. */
function argumentsFor(keys: string[]) {
  const shaped = fc.record(Object.fromEntries(keys.map((key) => [key, anyValue])), { requiredKeys: [] });
  const anyObject = fc.dictionary(fc.string({ maxLength: 20 }), fc.anything(), { maxKeys: 8 });
  return { shaped, anyObject };
}

/**
 * A sign-in that could succeed waits for a user (45 s by default): a missing or valid wait is set to 0
 * so runs stay bounded; invalid ones are kept, they are part of the fuzzing.
 */
function bounded(name: string, args: Record<string, unknown>): Record<string, unknown> {
  if (name !== 'oauth_authenticate_user') return args;
  const wait = args.wait_seconds;
  const valid = wait === undefined || (Number.isInteger(wait) && (wait as number) >= 0);
  return { ...args, wait_seconds: valid ? 0 : wait };
}

type Outcome = 'result' | 'error result' | 'invalid params';

async function callChecked(name: string, args: Record<string, unknown>): Promise<Outcome> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${name} did not answer within ${CALL_LIMIT_MS} ms`)),
      CALL_LIMIT_MS,
    );
  });
  try {
    const result = (await Promise.race([server.call(name, args), limit])) as ToolResult;
    expect(Array.isArray(result.content)).toBe(true);
    const text = JSON.stringify(result);
    expect(text).not.toContain(as().clients.confidential.clientSecret);
    if (!result.isError) {
      expect(result.structuredContent).not.toHaveProperty('error');
      return 'result';
    }
    const error = (result.structuredContent as { error?: { code: string; message: string } } | undefined)
      ?.error;
    if (error) {
      expect(ERROR_CODES).toContain(error.code);
      expect(error.code).not.toBe('internal');
      expect(error.message.length).toBeGreaterThan(10);
    } else {
      // the SDK's own input validation answers with an error result without structured content
      expect(result.content[0]?.text).toMatch(/validation|invalid/i);
    }
    return 'error result';
  } catch (thrown) {
    if (thrown instanceof ProtocolError && thrown.code === INVALID_PARAMS) return 'invalid params';
    throw thrown;
  } finally {
    clearTimeout(timer);
  }
}

describe('fuzzing every tool', () => {
  const totals: Record<string, Record<Outcome, number>> = {};

  it('lists every tool', () => {
    expect(tools.length).toBeGreaterThanOrEqual(5);
  });

  it.each([
    'oauth_discover',
    'oauth_authenticate_user',
    'oauth_client_credentials',
    'oauth_refresh_token',
    'oauth_introspect_token',
    'oauth_userinfo',
    'oauth_call_api',
    'oauth_register_client',
    'oauth_get_client',
    'oauth_update_client',
    'oauth_delete_client',
    'oauth_list_sessions',
    'oauth_inspect_token',
    'oauth_exchange_token',
    // last: a valid call signs the seeded users out
    'oauth_revoke_access',
  ])('%s answers every random or malformed input with a valid MCP result', async (name) => {
    const tool = tools.find((t) => t.name === name);
    if (!tool) return void console.info(`${name}: not in this build, not fuzzed`);
    const counts: Record<Outcome, number> = { result: 0, 'error result': 0, 'invalid params': 0 };
    const { shaped, anyObject } = argumentsFor(tool.keys);
    for (const generator of [shaped, anyObject]) {
      await fc.assert(
        fc.asyncProperty(generator, async (args) => {
          counts[await callChecked(name, bounded(name, args as Record<string, unknown>))]++;
        }),
        { numRuns: RUNS, endOnFailure: true },
      );
    }
    totals[name] = counts;
    expect(counts.result + counts['error result'] + counts['invalid params']).toBe(2 * RUNS);
    // still serving after the storm
    expect((await server.call('oauth_list_sessions')).isError).toBeFalsy();
  });

  it('saw no unhandled rejection or uncaught exception', () => {
    console.info(
      `fuzzing: ${Object.entries(totals)
        .map(
          ([name, c]) =>
            `${name} ${c.result} ok / ${c['error result']} error results / ${c['invalid params']} invalid params`,
        )
        .join('; ')}; unhandled: ${unhandled.length}`,
    );
    expect(unhandled).toEqual([]);
  });

  it('resolved no name and connected to no address off this machine', () => {
    expect(offMachine).toEqual([]);
  });
});

describe('the fuzzing tripwire', () => {
  it('refuses and records a lookup of a public name and a connection to a public address', async () => {
    const before = offMachine.length;
    await expect(dns.promises.lookup('public.example')).rejects.toMatchObject({ code: 'ENOTFOUND' });
    const socket = net.connect({ host: '192.0.2.1', port: 443 });
    await new Promise((resolve) => socket.on('error', resolve));
    expect(offMachine.slice(before)).toEqual(['lookup public.example', 'connect 192.0.2.1']);
    offMachine.length = before;
  });
});
