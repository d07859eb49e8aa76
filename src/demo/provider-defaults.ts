// Keys, accounts and policies of the demo authorization server; replacements for oidc-provider
// defaults that would print notices on stdout (the MCP stdio stream).
import { generateKeyPair, randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { errors } from 'oidc-provider';

/** Fresh RS256 and ES256 signing keys per start; they never leave the process. */
export async function signingKeys() {
  const keyPair = promisify(generateKeyPair);
  const [rsa, ec] = await Promise.all([
    keyPair('rsa', { modulusLength: 2048 }),
    keyPair('ec', { namedCurve: 'P-256' }),
  ]);
  const suffix = randomBytes(6).toString('base64url');
  return [
    { ...rsa.privateKey.export({ format: 'jwk' }), kid: `rs256-${suffix}`, alg: 'RS256', use: 'sig' },
    { ...ec.privateKey.export({ format: 'jwk' }), kid: `es256-${suffix}`, alg: 'ES256', use: 'sig' },
  ];
}

/** Every account id exists: sub = id, email `<id>@example.test`, name = the id capitalised. */
export async function findAccount(_ctx: unknown, id: string) {
  return {
    accountId: id,
    claims: async () => ({
      sub: id,
      email: `${id}@example.test`,
      email_verified: true,
      name: id.charAt(0).toUpperCase() + id.slice(1),
    }),
  };
}

/** As oidc-provider's default: any confidential client may introspect, a public client only its own tokens. */
export async function introspectionAllowed(
  ctx: { oidc: { client: { clientId: string } } },
  client: { clientAuthMethod: string },
  token: { clientId: string },
) {
  return !(client.clientAuthMethod === 'none' && token.clientId !== ctx.oidc.client.clientId);
}

/** As oidc-provider's default: only the client a token was issued to may revoke it. */
export async function revocationAllowed(
  _ctx: unknown,
  client: { clientId: string; clientAuthMethod: string },
  token: { clientId: string },
) {
  if (token.clientId === client.clientId) return true;
  if (client.clientAuthMethod === 'none') return false;
  throw new errors.InvalidRequest('client is not authorized to revoke the presented token');
}
