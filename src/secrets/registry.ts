// The one secret registry: every token, code, verifier, device code and client secret the process holds,
// learned where it enters, and redacted from every string that leaves (raw, escaped, encoded or cut short).

import { unescapedView } from './escapes.js';

/** Shorter values are not redacted (they would hit ordinary words); nor is a shorter fragment at a cut. */
const MIN_SECRET_LENGTH = 8;
const MAX_SECRET_LENGTH = 16_384;
/** Learned (not pinned) secrets kept; the least recently learned go first. */
const DEFAULT_CAPACITY = 4096;
/** Characters a token or secret is made of: where a run of them ends, a secret may have been cut short. */
const TOKEN_CHAR = /[A-Za-z0-9\-._~+/=]/;
/** An escape left incomplete by a cut at the end of a text. */
const TRAILING_PARTIAL_ESCAPE =
  /(?:\\+(?:u[0-9A-Fa-f]{0,3}|x[0-9A-Fa-f]?)?|%(?:25)?[0-9A-Fa-f]?|&#x?[0-9A-Fa-f]*)$/;
const FILTER_BITS = 20;
const SLOT_MASK = (1 << FILTER_BITS) - 1;
export const REDACTED = '[redacted]';

/** A bounded set of secrets with an index of the forms each may take in output. */
export class SecretRegistry {
  readonly #capacity: number;
  readonly #pinned = new Map<string, string[]>();
  /** Insertion order is recency: learning a secret again moves it to the end. */
  readonly #learned = new Map<string, string[]>();
  /** First MIN_SECRET_LENGTH chars of each form -> the forms that start so. */
  readonly #anchors = new Map<string, string[]>();
  /** How many anchors hash to each slot (a hash of their first 4 chars)... */
  readonly #counts = new Uint16Array(1 << FILTER_BITS);
  /** ...and the same as one bit per slot: small enough to stay in cache, so most positions cost one lookup. */
  readonly #filter = new Int32Array((1 << FILTER_BITS) / 32);

  constructor(capacity = DEFAULT_CAPACITY) {
    this.#capacity = capacity;
  }

  get size(): number {
    return this.#pinned.size + this.#learned.size;
  }

  /** A secret held for a while (a token from the store or a grant); the oldest are forgotten past capacity. */
  learn(value: string | undefined | null): void {
    if (!isSecretLike(value) || this.#pinned.has(value)) return;
    const forms = this.#learned.get(value);
    if (forms) {
      this.#learned.delete(value);
      this.#learned.set(value, forms);
      return;
    }
    this.#learned.set(value, this.#index(value));
    if (this.#learned.size > this.#capacity) {
      const [oldest, oldForms] = this.#learned.entries().next().value as [string, string[]];
      this.#learned.delete(oldest);
      this.#unindex(oldForms);
    }
  }

  /** A secret held for the life of the process (config secrets): never forgotten. */
  pin(value: string | undefined | null): void {
    if (!isSecretLike(value) || this.#pinned.has(value)) return;
    const forms = this.#learned.get(value);
    this.#learned.delete(value);
    this.#pinned.set(value, forms ?? this.#index(value));
  }

  /**
   * `text` with every known secret replaced by [redacted]: raw, escaped, percent- or base64-encoded, or
   * cut short (more than half of it, ending where the run of token characters ends).
   */
  redact(text: string): string {
    return this.#redact(text, false);
  }

  /** For a text we cut at its end (a body at max_body_bytes): also a secret's first 8+ chars right at the cut. */
  redactCut(text: string): string {
    const trimmed = text.replace(TRAILING_PARTIAL_ESCAPE, '');
    const out = this.#redact(trimmed, true);
    return out === trimmed ? text : out;
  }

  #redact(text: string, cutAtEnd: boolean): string {
    if (this.size === 0 || text.length < MIN_SECRET_LENGTH) return text;
    const spans = this.#find(text, cutAtEnd);
    const view = unescapedView(text);
    if (view) {
      for (const [from, to] of this.#find(view.text, cutAtEnd)) {
        spans.push([view.start[from] as number, view.end[to - 1] as number]);
      }
    }
    return spans.length === 0 ? text : replaceSpans(text, spans);
  }

  #find(text: string, cutAtEnd: boolean): [number, number][] {
    const spans: [number, number][] = [];
    const filter = this.#filter;
    let hash = text.length >= 4 ? hash4(text, 0) : 0;
    for (let i = 0; i + MIN_SECRET_LENGTH <= text.length; i++) {
      if (i > 0) hash = (hash - text.charCodeAt(i - 1) * 29_791) * 31 + text.charCodeAt(i + 3);
      const slot = hash & SLOT_MASK;
      if (((filter[slot >>> 5] as number) & (1 << (slot & 31))) === 0) continue;
      const forms = this.#anchors.get(text.slice(i, i + MIN_SECRET_LENGTH));
      if (!forms) continue;
      for (const form of forms) {
        const matched = commonPrefixLength(text, i, form);
        const next = text[i + matched];
        // A shorter prefix is often public (a client id that starts the client secret, a JWT header).
        const cutShort =
          (next === undefined && cutAtEnd) ||
          (matched * 2 >= form.length && (next === undefined || !TOKEN_CHAR.test(next)));
        if (matched === form.length || cutShort) spans.push([i, i + matched]);
      }
    }
    return spans;
  }

  #index(value: string): string[] {
    const forms = formsOf(value);
    for (const form of forms) {
      const anchor = form.slice(0, MIN_SECRET_LENGTH);
      const list = this.#anchors.get(anchor);
      if (list) list.push(form);
      else this.#anchors.set(anchor, [form]);
      this.#count(hash4(anchor, 0) & SLOT_MASK, 1);
    }
    return forms;
  }

  /** A slot's bit is set while at least one anchor hashes to it. */
  #count(slot: number, change: 1 | -1): void {
    const before = this.#counts[slot] ?? 0;
    this.#counts[slot] = before + change;
    if (before === 0 || before + change === 0) {
      this.#filter[slot >>> 5] = (this.#filter[slot >>> 5] ?? 0) ^ (1 << (slot & 31));
    }
  }

  #unindex(forms: string[]): void {
    for (const form of forms) {
      const anchor = form.slice(0, MIN_SECRET_LENGTH);
      const list = this.#anchors.get(anchor)?.filter((f) => f !== form) ?? [];
      if (list.length > 0) this.#anchors.set(anchor, list);
      else this.#anchors.delete(anchor);
      this.#count(hash4(anchor, 0) & SLOT_MASK, -1);
    }
  }
}

function isSecretLike(value: string | undefined | null): value is string {
  return typeof value === 'string' && value.length >= MIN_SECRET_LENGTH && value.length <= MAX_SECRET_LENGTH;
}

/** The spellings of a secret that need no decoding: itself, its base64 at every alignment, a JWT's signature. */
function formsOf(value: string): string[] {
  const forms = new Set([value]);
  const bytes = Buffer.from(value, 'utf8');
  for (let offset = 0; offset < 3; offset++) {
    // base64 of the secret after `offset` other bytes: only the chars made of the secret's bits alone
    const encoded = Buffer.concat([Buffer.alloc(offset), bytes]).toString('base64');
    const core = encoded.slice(Math.ceil((offset * 8) / 6), Math.floor(((offset + bytes.length) * 8) / 6));
    if (core.length >= MIN_SECRET_LENGTH) {
      forms.add(core);
      forms.add(core.replace(/\+/g, '-').replace(/\//g, '_'));
    }
  }
  const signature = /^[\w-]+\.[\w-]+\.([\w-]{16,})$/.exec(value)?.[1];
  if (signature) forms.add(signature);
  return [...forms];
}

/** A hash of the 4 chars at `at` that rolls: drop the first char (times 31^3), multiply by 31, add the next. */
function hash4(text: string, at: number): number {
  return (
    ((text.charCodeAt(at) * 31 + text.charCodeAt(at + 1)) * 31 + text.charCodeAt(at + 2)) * 31 +
    text.charCodeAt(at + 3)
  );
}

function commonPrefixLength(text: string, at: number, form: string): number {
  let n = MIN_SECRET_LENGTH;
  while (n < form.length && text.charCodeAt(at + n) === form.charCodeAt(n)) n++;
  return n;
}

function replaceSpans(text: string, spans: [number, number][]): string {
  spans.sort((a, b) => a[0] - b[0] || b[1] - a[1]);
  let out = '';
  let cursor = 0;
  for (const [from, to] of spans) {
    if (to <= cursor) continue;
    out += `${text.slice(cursor, Math.max(cursor, from))}${from >= cursor ? REDACTED : ''}`;
    cursor = to;
  }
  return out + text.slice(cursor);
}
