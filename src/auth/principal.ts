// The principal of HTTP mode: who presented a verified access token (its `iss` and `sub`), the key the vault
// namespaces every record by.

export interface Initiator {
  iss: string;
  sub: string;
}

/** The principal a verified token stands for; the vault namespaces every record by it. */
export function principalFromClaims(iss: string, sub: string): string {
  return JSON.stringify([iss, sub]);
}

/** The `iss` and `sub` of a principal made by principalFromClaims; undefined for anything else. */
export function initiatorOf(principal: string | undefined): Initiator | undefined {
  if (principal === undefined) return undefined;
  try {
    const parsed: unknown = JSON.parse(principal);
    const [iss, sub, ...rest] = Array.isArray(parsed) ? parsed : [];
    if (typeof iss === 'string' && typeof sub === 'string' && rest.length === 0) return { iss, sub };
  } catch {
    // not a token principal (tests and embedders pick their own keys): no identity to check against
  }
  return undefined;
}
