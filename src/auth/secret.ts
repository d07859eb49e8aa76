// A wrapper for tokens and client secrets whose string and JSON forms print a fingerprint, never the value.

import { createHash } from 'node:crypto';

/** First 16 hex chars of SHA-256: enough to tell tokens apart, useless to an attacker. */
export function fingerprint(value: string): string {
  return createHash('sha256').update(value).digest('hex').slice(0, 16);
}

export class Secret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  /** The raw value, for the one place that puts it on the wire or in the store. */
  reveal(): string {
    return this.#value;
  }

  get fingerprint(): string {
    return fingerprint(this.#value);
  }

  toString(): string {
    return `[secret sha256:${this.fingerprint}]`;
  }

  toJSON(): string {
    return this.toString();
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
}
