// The server audit's judgement: authorization server metadata against RFC 9700 (OAuth 2.0 Security BCP)
// and the MCP authorization spec, section by section. Pure: metadata and the JWKS report in, checks out.

import { isLoopbackHost } from '../../net/outbound-policy.js';
import type { ServerMetadata } from '../provider/registry.js';
import { jwksChecks } from './audit-keys.js';
import { mcpChecks } from './audit-mcp.js';
import {
  type AuditCheck,
  type AuditSection,
  fail,
  has,
  info,
  type JwksFindings,
  pass,
  section,
  warn,
} from './audit-verdict.js';

export type { AuditCheck, AuditSection, JwksFindings } from './audit-verdict.js';

export function auditSections(metadata: ServerMetadata, jwks: JwksFindings): AuditSection[] {
  const m = metadata as ServerMetadata & Record<string, unknown>;
  const grants = m.grant_types_supported;
  const authMethods = m.token_endpoint_auth_methods_supported ?? ['client_secret_basic'];
  const s256 = has(m.code_challenge_methods_supported, 'S256');
  return [
    section('transport', 'Metadata and transport', [transportCheck(m)]),
    section('authorization_code', 'Authorization code flow', [
      s256
        ? pass(
            'pkce_s256',
            'RFC 7636, RFC 9700 2.1.1',
            'PKCE with S256 is advertised (code_challenge_methods_supported).',
          )
        : fail(
            'pkce_s256',
            'RFC 7636, RFC 9700 2.1.1',
            'PKCE S256 is not advertised in code_challenge_methods_supported.',
            'Support PKCE with S256 and list it in code_challenge_methods_supported.',
          ),
      has(m.code_challenge_methods_supported, 'plain')
        ? warn(
            'pkce_plain',
            'RFC 7636 4.2, RFC 9700 2.1.1',
            'PKCE "plain" is still offered; it does not protect a leaked authorization request.',
            'Remove "plain" from code_challenge_methods_supported.',
          )
        : pass('pkce_plain', 'RFC 9700 2.1.1', 'PKCE "plain" is not offered.'),
      m.authorization_response_iss_parameter_supported === true
        ? pass('iss_response', 'RFC 9207', 'Authorization responses carry iss (mix-up defence).')
        : warn(
            'iss_response',
            'RFC 9207, RFC 9700 4.4',
            'Authorization responses do not advertise the iss parameter, so clients of several servers cannot detect mix-up attacks.',
            'Return iss in authorization responses and set authorization_response_iss_parameter_supported: true.',
          ),
      m.pushed_authorization_request_endpoint
        ? pass(
            'par',
            'RFC 9126',
            `Pushed authorization requests are supported${m.require_pushed_authorization_requests ? ' and required' : ''}.`,
          )
        : warn(
            'par',
            'RFC 9126',
            'No pushed authorization request endpoint: authorization requests travel in the browser URL, unauthenticated.',
            'Offer PAR (pushed_authorization_request_endpoint).',
          ),
    ]),
    section('legacy_grants', 'Deprecated grants', legacyGrantChecks(m, grants)),
    section('client_authentication', 'Client authentication', [
      has(authMethods, 'none')
        ? s256
          ? info(
              'none_auth',
              'RFC 9700 2.1.1',
              'Public clients (token_endpoint_auth_method "none") are accepted; PKCE S256 protects their codes.',
            )
          : fail(
              'none_auth',
              'RFC 9700 2.1.1',
              'Public clients ("none") are accepted without PKCE S256: their authorization codes can be stolen and redeemed.',
              'Require PKCE S256 for public clients.',
            )
        : info(
            'none_auth',
            'RFC 6749 2.1',
            'Public clients ("none") are not accepted at the token endpoint.',
          ),
      authMethods.some((x: string) =>
        ['private_key_jwt', 'tls_client_auth', 'self_signed_tls_client_auth'].includes(x),
      )
        ? pass(
            'asymmetric_auth',
            'RFC 7523, RFC 8705, RFC 9700 2.5',
            'Asymmetric client authentication (private_key_jwt or mTLS) is available.',
          )
        : warn(
            'asymmetric_auth',
            'RFC 9700 2.5',
            'Only shared-secret client authentication is offered.',
            'Offer private_key_jwt (RFC 7523) or mTLS client authentication (RFC 8705).',
          ),
    ]),
    section('sender_constraint', 'Sender-constrained tokens', senderConstraintChecks(m)),
    section('token_lifecycle', 'Token lifecycle', [
      m.revocation_endpoint
        ? pass('revocation', 'RFC 7009', 'Tokens can be revoked (revocation_endpoint).')
        : warn(
            'revocation',
            'RFC 7009',
            'No revocation endpoint: users cannot kill a leaked token or sign out for real.',
            'Offer RFC 7009 token revocation.',
          ),
      m.introspection_endpoint
        ? pass(
            'introspection',
            'RFC 7662',
            'Resource servers can introspect tokens (introspection_endpoint).',
          )
        : warn(
            'introspection',
            'RFC 7662',
            'No introspection endpoint: resource servers can check only JWT access tokens.',
            'Offer RFC 7662 introspection, or issue RFC 9068 JWT access tokens only.',
          ),
      has(grants, 'refresh_token') || grants === undefined
        ? info(
            'refresh_token',
            'RFC 6749 6, RFC 9700 4.14',
            `The refresh_token grant is ${grants ? 'offered' : 'not listed (grant_types_supported absent)'}.`,
          )
        : info(
            'refresh_token',
            'RFC 6749 6',
            'The refresh_token grant is not offered: users must sign in again when a token expires.',
          ),
      m.device_authorization_endpoint
        ? info(
            'device_flow',
            'RFC 8628',
            'The device authorization grant is offered (sign-in on another device).',
          )
        : info(
            'device_flow',
            'RFC 8628',
            'No device authorization endpoint: sign-ins need a browser on this machine.',
          ),
    ]),
    section('registration', 'Client registration', [
      m.registration_endpoint
        ? pass(
            'dynamic_registration',
            'RFC 7591',
            'Dynamic client registration is offered (registration_endpoint).',
          )
        : info(
            'dynamic_registration',
            'RFC 7591',
            'No dynamic client registration: clients must be registered by an administrator.',
          ),
    ]),
    section('keys', 'Signing keys (JWKS)', jwksChecks(m, jwks)),
    section('mcp', 'MCP authorization (2025-11-25), authorization server side', mcpChecks(m, s256)),
  ];
}

function transportCheck(m: Record<string, unknown>): AuditCheck {
  const urls = Object.entries(m).filter(
    ([field, value]) => typeof value === 'string' && (field === 'issuer' || /(_endpoint|_uri)$/.test(field)),
  ) as [string, string][];
  const plain = urls.filter(([, url]) => url.startsWith('http:'));
  const remote = plain.filter(([, url]) => !URL.canParse(url) || !isLoopbackHost(new URL(url).hostname));
  if (remote.length > 0) {
    return fail(
      'https',
      'RFC 8414 2, RFC 9700 2',
      `Plain http endpoints: ${remote.map(([f]) => f).join(', ')}. Tokens and codes would cross the network unencrypted.`,
      'Serve every endpoint over https.',
    );
  }
  if (plain.length > 0) {
    return warn(
      'https',
      'RFC 8414 2',
      `Endpoints use plain http on loopback (${plain.length} of ${urls.length}): fine for local testing only.`,
      'Use https for anything beyond local testing.',
    );
  }
  return pass('https', 'RFC 8414 2, RFC 9700 2', `All ${urls.length} endpoints and URIs use https.`);
}

function legacyGrantChecks(m: ServerMetadata, grants: string[] | undefined): AuditCheck[] {
  const tokenInFront = (m.response_types_supported ?? []).filter((t) => t.split(' ').includes('token'));
  const implicit =
    tokenInFront.length > 0
      ? fail(
          'implicit',
          'RFC 9700 2.1.2',
          `The implicit grant is offered (response types ${tokenInFront.join(', ')}): access tokens in the URL fragment leak.`,
          'Remove response types that contain "token"; use the code flow with PKCE.',
        )
      : has(grants, 'implicit')
        ? warn(
            'implicit',
            'RFC 9700 2.1.2',
            'grant_types_supported lists "implicit" (only ID tokens are returned in the front channel, no access tokens).',
            'Drop "implicit" unless a client still needs front-channel ID tokens.',
          )
        : grants === undefined
          ? warn(
              'implicit',
              'RFC 8414 2, RFC 9700 2.1.2',
              'grant_types_supported is absent, which by RFC 8414 means authorization_code and implicit.',
              'Publish grant_types_supported without implicit.',
            )
          : pass('implicit', 'RFC 9700 2.1.2', 'The implicit grant is not offered.');
  const password = has(grants, 'password')
    ? fail(
        'password',
        'RFC 9700 2.4',
        'The resource owner password grant is offered: clients see user passwords, and MFA is bypassed.',
        'Remove the password grant.',
      )
    : pass('password', 'RFC 9700 2.4', 'The resource owner password grant is not offered.');
  return [implicit, password];
}

function senderConstraintChecks(m: Record<string, unknown>): AuditCheck[] {
  const dpop =
    Array.isArray(m.dpop_signing_alg_values_supported) && m.dpop_signing_alg_values_supported.length > 0;
  const mtls = m.tls_client_certificate_bound_access_tokens === true;
  return [
    dpop
      ? pass(
          'dpop',
          'RFC 9449, RFC 9700 2.2.1',
          `DPoP is supported (${(m.dpop_signing_alg_values_supported as string[]).join(', ')}).`,
        )
      : (mtls ? info : warn)(
          'dpop',
          'RFC 9449, RFC 9700 2.2.1',
          'DPoP is not advertised (dpop_signing_alg_values_supported).',
          'Support DPoP so stolen tokens cannot be replayed.',
        ),
    mtls
      ? pass(
          'mtls_bound_tokens',
          'RFC 8705, RFC 9700 2.2.1',
          'Certificate-bound access tokens (mTLS) are supported.',
        )
      : info('mtls_bound_tokens', 'RFC 8705', 'Certificate-bound access tokens (mTLS) are not advertised.'),
  ];
}
