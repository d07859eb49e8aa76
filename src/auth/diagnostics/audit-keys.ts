// The audit's signing-key section: does the JWKS answer, what the JWKS report warned about, alg none advertised.

import type { ServerMetadata } from '../provider/registry.js';
import { type AuditCheck, fail, type JwksFindings, pass, warn } from './audit-verdict.js';
import { algNoneWarnings } from './jwks-report.js';

export function jwksChecks(m: ServerMetadata, jwks: JwksFindings): AuditCheck[] {
  const unsigned = algNoneWarnings(m);
  const algChecks = unsigned.length
    ? unsigned.map((warning) =>
        fail(
          'alg_none',
          'RFC 9700 2.1, OIDC Core 16.14',
          warning,
          'Remove "none" from every *_alg_values_supported list.',
        ),
      )
    : [pass('alg_none', 'RFC 9700 2.1', 'No metadata field advertises alg "none".')];
  const checks: AuditCheck[] = [];
  if (!m.jwks_uri) {
    return [
      ...algChecks,
      warn(
        'jwks',
        'RFC 8414 2, OIDC Discovery 3',
        'No jwks_uri: tokens and ID tokens from this server cannot be verified locally.',
        'Publish the signing keys at a jwks_uri.',
      ),
    ];
  }
  checks.push(
    jwks.error
      ? fail('jwks', 'RFC 7517', jwks.error, 'Make the jwks_uri answer with the current key set.')
      : pass('jwks', 'RFC 7517', `The JWKS answers with ${jwks.keyCount} key(s).`),
  );
  for (const warning of jwks.warnings) {
    const severe = /private key material|symmetric/.test(warning);
    checks.push(
      (severe ? fail : warn)(
        'jwks_key',
        'RFC 7517, RFC 7518 3',
        warning,
        'Publish only public asymmetric keys of adequate size, each with a unique kid.',
      ),
    );
  }
  if (!jwks.error && jwks.warnings.length === 0)
    checks.push(pass('jwks_keys', 'RFC 7518 3', 'No weak, symmetric, duplicate or unnamed keys.'));
  return [...checks, ...algChecks];
}
