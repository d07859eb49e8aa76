// Fingerprints of tokens and secrets: enough to tell them apart in output and logs, useless to an attacker.

import { createHash } from 'node:crypto';

/** First 16 hex chars of SHA-256: enough to tell tokens apart, useless to an attacker. */
export function fingerprint(value: string): string {
  return createHash('sha256').update(value).digest('hex').slice(0, 16);
}
