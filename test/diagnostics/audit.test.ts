// oauth_audit_server: the real oidc-provider with its features on, the same server with them switched
// off (the report changes check by check), and a deviating server that offers what RFC 9700 forbids.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useAuthorizationServer } from '../helpers/authorization-server.js';
import { type InProcessServer, startInProcess, toolError } from '../helpers/in-process-server.js';
import { type DeviatingServer, startDeviatingServer } from './deviating-server.js';

const full = useAuthorizationServer();
const reduced = useAuthorizationServer({
  features: {
    deviceFlow: false,
    revocation: false,
    introspection: false,
    registration: false,
    pushedAuthorizationRequests: false,
    dPoP: false,
  },
});
let deviating: DeviatingServer;
let silent: DeviatingServer;
let server: InProcessServer;

beforeAll(async () => {
  deviating = await startDeviatingServer();
  silent = await startDeviatingServer({ jwksAnswers: false });
  server = await startInProcess({
    providers: {
      full: { issuer: full.issuer },
      reduced: { issuer: reduced.issuer },
      deviating: { issuer: deviating.issuer },
      silent: { issuer: silent.issuer },
    },
  });
});
afterAll(async () => {
  await server.close();
  await deviating.close();
  await silent.close();
});

type Audit = {
  score: number;
  fixes: string[];
  probes: string[];
  sections: {
    id: string;
    score?: number;
    checks: { id: string; status: string; reference: string; message: string }[];
  }[];
};

async function audit(provider: string): Promise<Audit> {
  const result = await server.call('oauth_audit_server', { provider });
  if (result.isError) throw new Error(JSON.stringify(result.structuredContent));
  return result.structuredContent as Audit;
}

function statuses(report: Audit): Record<string, string> {
  return Object.fromEntries(report.sections.flatMap((s) => s.checks.map((c) => [c.id, c.status])));
}

describe('oauth_audit_server', () => {
  it('reports what oidc-provider offers, with RFC references', async () => {
    const report = await audit('full');
    expect(statuses(report)).toMatchObject({
      pkce_s256: 'pass',
      pkce_plain: 'pass',
      iss_response: 'pass',
      par: 'pass',
      implicit: 'warn',
      password: 'pass',
      none_auth: 'info',
      asymmetric_auth: 'pass',
      dpop: 'pass',
      revocation: 'pass',
      introspection: 'pass',
      dynamic_registration: 'pass',
      jwks: 'pass',
      jwks_keys: 'pass',
      mcp_pkce: 'pass',
      mcp_registration: 'pass',
      https: 'warn',
    });
    const checks = report.sections.flatMap((s) => s.checks);
    expect(checks.find((c) => c.id === 'iss_response')?.reference).toBe('RFC 9207');
    expect(checks.find((c) => c.id === 'device_flow')?.message).toMatch(/is offered/);
    expect(report.probes).toEqual([
      `GET ${full.issuer} (openid-configuration metadata)`,
      `GET ${full.issuer}/jwks`,
    ]);
  });

  it('changes check by check when the server switches features off, and lists the fixes', async () => {
    const [on, off] = [await audit('full'), await audit('reduced')];
    const changed = Object.entries(statuses(off)).filter(([id, status]) => statuses(on)[id] !== status);
    expect(Object.fromEntries(changed)).toEqual({
      par: 'warn',
      dpop: 'warn',
      revocation: 'warn',
      introspection: 'warn',
      dynamic_registration: 'info',
      mcp_registration: 'warn',
    });
    expect(off.sections.flatMap((s) => s.checks).find((c) => c.id === 'device_flow')?.message).toMatch(
      /No device/,
    );
    expect(off.score).toBeLessThan(on.score);
    expect(off.fixes).toEqual(
      expect.arrayContaining([
        'Offer RFC 7009 token revocation. (RFC 7009)',
        'Offer PAR (pushed_authorization_request_endpoint). (RFC 9126)',
      ]),
    );
  });

  it('fails a server that offers implicit, password, plain PKCE, http endpoints and bad keys, probing only its metadata and JWKS', async () => {
    const report = await audit('deviating');
    expect(statuses(report)).toMatchObject({
      https: 'fail',
      pkce_s256: 'fail',
      pkce_plain: 'warn',
      iss_response: 'warn',
      implicit: 'fail',
      password: 'fail',
      none_auth: 'fail',
      jwks: 'pass',
      mcp_pkce: 'fail',
    });
    const keyChecks = report.sections.find((s) => s.id === 'keys')?.checks ?? [];
    expect(keyChecks.filter((c) => c.status === 'fail').map((c) => [c.id, c.message])).toEqual([
      ['jwks_key', expect.stringMatching(/symmetric/)],
      ['jwks_key', expect.stringMatching(/private key material/)],
      ['alg_none', expect.stringMatching(/alg "none" in id_token_signing_alg_values_supported/)],
    ]);
    expect(report.sections.find((s) => s.id === 'legacy_grants')?.score).toBe(0);
    expect(report.fixes[0]).toMatch(/^Serve every endpoint over https/);
    expect(report.fixes.length).toBeLessThanOrEqual(8);
    expect(report.score).toBeLessThan(50);
    // discovery reads both metadata documents; the only other request is the JWKS
    expect([...deviating.requests].sort()).toEqual([
      'GET /.well-known/oauth-authorization-server',
      'GET /.well-known/openid-configuration',
      'GET /jwks',
    ]);
  });

  it('fails the key section when the documented JWKS does not answer', async () => {
    const report = await audit('silent');
    const keys = report.sections.find((s) => s.id === 'keys');
    expect(keys?.checks).toEqual([
      expect.objectContaining({
        id: 'jwks',
        status: 'fail',
        message: expect.stringMatching(/did not answer with a key set: Expected 200 OK/),
      }),
      expect.objectContaining({
        id: 'alg_none',
        status: 'fail',
        message: expect.stringMatching(/alg "none"/),
      }),
    ]);
    const jwks = await server.call('oauth_get_jwks', { provider: 'silent' });
    expect(toolError(jwks)).toMatchObject({ code: 'invalid_response' });
  });
});
