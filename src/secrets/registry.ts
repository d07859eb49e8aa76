// The one secret registry: every token, code, verifier, device code and client secret the process holds,
// learned where it enters, and redacted from every string that leaves (raw, escaped, encoded or cut short).
// Each secret has an owner (a principal, or '' for the local user and requests without one) and an
// audience: whose output it is redacted from. Logs and other operator exits see every secret.

import { unescapedView } from './escapes.js';

/** Shorter values are not redacted (they would hit ordinary words); nor is a shorter fragment at a cut. */
const MIN_SECRET_LENGTH = 8;
const MAX_SECRET_LENGTH = 16_384;
/** Learned (not pinned) secrets kept for the local owner '' (stdio, requests without a principal). */
const DEFAULT_CAPACITY = 4096;
/** An HTTP user's quota: their flood forgets only their own least recently learned secrets. */
const DEFAULT_PRINCIPAL_QUOTA = 512;
/** Learned secrets of all owners together; past it, the owner holding the most gives up its oldest. */
const DEFAULT_TOTAL = 8192;
/** Characters a token or secret is made of: where a run of them ends, a secret may have been cut short. */
const TOKEN_CHAR = /[A-Za-z0-9\-._~+/=]/;
/** An escape left incomplete by a cut at the end of a text. */
const TRAILING_PARTIAL_ESCAPE =
  /(?:\\+(?:u[0-9A-Fa-f]{0,3}|x[0-9A-Fa-f]?)?|%(?:25)?[0-9A-Fa-f]?|&#x?[0-9A-Fa-f]*)$/;
const FILTER_BITS = 20;
const SLOT_MASK = (1 << FILTER_BITS) - 1;
export const REDACTED = '[redacted]';
/** The owner of pinned secrets: no principal is ever called this. */
const PROCESS = '\u0000process';

/**
 * Whose output a secret is redacted from (logs always):
 * - `everyone`: tokens from an authorization server, the store, the config;
 * - `owner`: a value a caller pasted: a secret for them only, so it cannot blank anyone else's results;
 * - `others`: a value handed to its owner (a sign-in start link): hidden from everyone else.
 */
export type Audience = 'everyone' | 'owner' | 'others';

/** Who reads an output: a caller (by owner), or, when undefined, the operator (logs, the CLI, pages). */
export interface Viewer {
  owner: string;
}

export interface SecretEntry {
  readonly value: string;
  readonly forms: string[];
  readonly owner: string;
  audience: Audience;
  /** Requests in flight that used it: it stays indexed until the last of them ends. */
  holds: number;
  /** Still in its owner's bucket (false once evicted: unindexed when no request holds it). */
  listed: boolean;
  /** Callers who sent it (or part of it) themselves, and how much of it: redacting that would be an oracle. */
  shownTo?: Map<string, number>;
}

/** Whether a secret's first 8+ characters count: at the end of the text (we cut it there), anywhere, or not. */
type Cut = boolean | 'any';

interface IndexedForm {
  form: string;
  entry: SecretEntry;
}

interface Match {
  from: number;
  to: number;
  entry: SecretEntry;
  /** How much of the form matched, 0..1. */
  share: number;
}

export interface RegistryLimits {
  /** Secrets kept for the local owner '' (default 4,096). */
  capacity?: number;
  /** Secrets kept per principal (default 512). */
  perPrincipal?: number;
  /** Learned secrets of all owners together (default 8,192). */
  total?: number;
}

/** A bounded set of secrets with an index of the forms each may take in output. */
export class SecretRegistry {
  readonly #capacity: number;
  readonly #perPrincipal: number;
  readonly #total: number;
  readonly #pinned = new Map<string, SecretEntry>();
  /** Per owner, insertion order is recency: learning a secret again moves it to the end. */
  readonly #buckets = new Map<string, Map<string, SecretEntry>>();
  /** First MIN_SECRET_LENGTH chars of each form -> the forms that start so. */
  readonly #anchors = new Map<string, IndexedForm[]>();
  /** How many anchors hash to each slot (a hash of their first 4 chars)... */
  readonly #counts = new Uint16Array(1 << FILTER_BITS);
  /** ...and the same as one bit per slot: small enough to stay in cache, so most positions cost one lookup. */
  readonly #filter = new Int32Array((1 << FILTER_BITS) / 32);
  #indexed = 0;
  #learned = 0;

  constructor(limits: number | RegistryLimits = {}) {
    const l = typeof limits === 'number' ? { capacity: limits } : limits;
    this.#capacity = l.capacity ?? DEFAULT_CAPACITY;
    this.#perPrincipal = l.perPrincipal ?? DEFAULT_PRINCIPAL_QUOTA;
    this.#total = l.total ?? DEFAULT_TOTAL;
  }

  /** Secrets known now (pinned, listed, and evicted ones still held by a request in flight). */
  get size(): number {
    return this.#indexed;
  }

  /**
   * A secret held for a while (a token from the store or a grant, a pasted value); past its owner's
   * quota the least recently learned of that owner's are forgotten. Returns the entry to hold.
   */
  learn(
    value: string | undefined | null,
    owner = '',
    audience: Audience = 'everyone',
  ): SecretEntry | undefined {
    if (!isSecretLike(value)) return undefined;
    const pinned = this.#pinned.get(value);
    // A caller who pastes a pinned secret gets their own entry: redacted for them as any pasted value.
    if (pinned && audience !== 'owner') return pinned;
    let bucket = this.#buckets.get(owner);
    if (!bucket) {
      bucket = new Map();
      this.#buckets.set(owner, bucket);
    }
    let entry = bucket.get(value);
    if (entry) {
      bucket.delete(value);
      if (entry.audience !== audience) entry.audience = 'everyone';
    } else {
      entry = { value, forms: [], owner, audience, holds: 0, listed: true };
      this.#index(entry);
      this.#learned++;
    }
    bucket.set(value, entry);
    const quota = owner === '' ? this.#capacity : Math.min(this.#capacity, this.#perPrincipal);
    if (bucket.size > quota) this.#evictOldest(owner, bucket);
    if (this.#learned > this.#total) this.#evictOldest(...this.#largestBucket());
    return entry;
  }

  /** The owner holding the most secrets: a flood forgets the flooder's own secrets, not anyone else's. */
  #largestBucket(): [string, Map<string, SecretEntry>] {
    let largest: [string, Map<string, SecretEntry>] = ['', new Map()];
    for (const [owner, bucket] of this.#buckets) if (bucket.size > largest[1].size) largest = [owner, bucket];
    return largest;
  }

  #evictOldest(owner: string, bucket: Map<string, SecretEntry>): void {
    const oldest = bucket.values().next().value;
    if (!oldest) return;
    bucket.delete(oldest.value);
    if (bucket.size === 0) this.#buckets.delete(owner);
    this.#learned--;
    this.#drop(oldest);
  }

  /** A secret held for the life of the process (config secrets): never forgotten, redacted for everyone. */
  pin(value: string | undefined | null): SecretEntry | undefined {
    if (!isSecretLike(value)) return undefined;
    let entry = this.#pinned.get(value);
    if (!entry) {
      entry = { value, forms: [], owner: PROCESS, audience: 'everyone', holds: 0, listed: true };
      this.#index(entry);
      this.#pinned.set(value, entry);
    }
    return entry;
  }

  /** A request in flight uses `entry`: it stays known until `release`, whatever is learned meanwhile. */
  hold(entry: SecretEntry): void {
    entry.holds++;
  }

  release(entry: SecretEntry): void {
    entry.holds--;
    if (entry.holds === 0 && !entry.listed) this.#unindex(entry);
  }

  /**
   * Records that caller `owner` sent `text` themselves: the secrets of others in it (or the share of
   * each that it holds) are then never redacted from that caller's output, which would tell them that
   * what they sent is a secret of the process.
   */
  markShown(text: string, owner: string): void {
    // Any 8+ characters of a secret's start count, wherever they stand: an output cut right after them
    // (a body at max_body_bytes) is redacted from that length on.
    for (const match of this.#matches(text, 'any', undefined)) {
      const { entry, share } = match;
      if (entry.owner === owner) continue;
      entry.shownTo ??= new Map();
      entry.shownTo.set(owner, Math.max(share, entry.shownTo.get(owner) ?? 0));
    }
  }

  /**
   * `text` with every secret the viewer may not see replaced by [redacted]: raw, escaped, percent- or
   * base64-encoded, or cut short (more than half of it, ending where the run of token characters ends).
   */
  redact(text: string, viewer?: Viewer): string {
    return this.#redact(text, false, viewer);
  }

  /** For a text we cut at its end (a body at max_body_bytes): also a secret's first 8+ chars right at the cut. */
  redactCut(text: string, viewer?: Viewer): string {
    const trimmed = text.replace(TRAILING_PARTIAL_ESCAPE, '');
    const out = this.#redact(trimmed, true, viewer);
    return out === trimmed ? text : out;
  }

  #redact(text: string, cutAtEnd: Cut, viewer: Viewer | undefined): string {
    const spans = this.#matches(text, cutAtEnd, viewer);
    return spans.length === 0 ? text : replaceSpans(text, spans);
  }

  /** Every match in `text` and in its unescaped view (as spans of `text`) that applies to the viewer. */
  #matches(text: string, cutAtEnd: Cut, viewer: Viewer | undefined): Match[] {
    if (this.#indexed === 0 || text.length < MIN_SECRET_LENGTH) return [];
    const matches = this.#find(text, cutAtEnd, viewer);
    const view = unescapedView(text);
    if (view) {
      for (const match of this.#find(view.text, cutAtEnd, viewer)) {
        matches.push({
          ...match,
          from: view.start[match.from] as number,
          to: view.end[match.to - 1] as number,
        });
      }
    }
    return matches;
  }

  #find(text: string, cutAtEnd: Cut, viewer: Viewer | undefined): Match[] {
    const matches: Match[] = [];
    const filter = this.#filter;
    let hash = text.length >= 4 ? hash4(text, 0) : 0;
    for (let i = 0; i + MIN_SECRET_LENGTH <= text.length; i++) {
      if (i > 0) hash = (hash - text.charCodeAt(i - 1) * 29_791) * 31 + text.charCodeAt(i + 3);
      const slot = hash & SLOT_MASK;
      if (((filter[slot >>> 5] as number) & (1 << (slot & 31))) === 0) continue;
      const forms = this.#anchors.get(text.slice(i, i + MIN_SECRET_LENGTH));
      if (!forms) continue;
      for (const { form, entry } of forms) {
        const matched = commonPrefixLength(text, i, form);
        const next = text[i + matched];
        // A shorter prefix is often public (a client id that starts the client secret, a JWT header).
        const cutShort =
          cutAtEnd === 'any' ||
          (next === undefined && cutAtEnd) ||
          (matched * 2 >= form.length && (next === undefined || !TOKEN_CHAR.test(next)));
        if (matched !== form.length && !cutShort) continue;
        const share = matched / form.length;
        if (viewer && !appliesTo(entry, viewer, share)) continue;
        matches.push({ from: i, to: i + matched, entry, share });
      }
    }
    return matches;
  }

  /** Forms are computed when a secret is first learned; a secret learned again reuses them. */
  #index(entry: SecretEntry): void {
    entry.forms.push(...formsOf(entry.value));
    for (const form of entry.forms) {
      const anchor = form.slice(0, MIN_SECRET_LENGTH);
      const list = this.#anchors.get(anchor);
      if (list) list.push({ form, entry });
      else this.#anchors.set(anchor, [{ form, entry }]);
      this.#count(hash4(anchor, 0) & SLOT_MASK, 1);
    }
    this.#indexed++;
  }

  #drop(entry: SecretEntry): void {
    entry.listed = false;
    if (entry.holds === 0) this.#unindex(entry);
  }

  /** A slot's bit is set while at least one anchor hashes to it. */
  #count(slot: number, change: 1 | -1): void {
    const before = this.#counts[slot] ?? 0;
    this.#counts[slot] = before + change;
    if (before === 0 || before + change === 0) {
      this.#filter[slot >>> 5] = (this.#filter[slot >>> 5] ?? 0) ^ (1 << (slot & 31));
    }
  }

  #unindex(entry: SecretEntry): void {
    for (const form of entry.forms) {
      const anchor = form.slice(0, MIN_SECRET_LENGTH);
      const list = this.#anchors.get(anchor)?.filter((f) => f.entry !== entry) ?? [];
      if (list.length > 0) this.#anchors.set(anchor, list);
      else this.#anchors.delete(anchor);
      this.#count(hash4(anchor, 0) & SLOT_MASK, -1);
    }
    this.#indexed--;
  }
}

/**
 * Whether a match of `share` of one of the entry's forms is redacted for this caller: a caller's own
 * secrets always are (they never learn from it whether their guess was a secret); another's are, unless
 * the caller sent at least as much of it themselves.
 */
function appliesTo(entry: SecretEntry, viewer: Viewer, share: number): boolean {
  const own = entry.owner === viewer.owner;
  if (entry.audience === 'owner') return own;
  if (own) return entry.audience === 'everyone';
  const shown = entry.shownTo?.get(viewer.owner);
  return shown === undefined || share > shown;
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

function replaceSpans(text: string, matches: Match[]): string {
  matches.sort((a, b) => a.from - b.from || b.to - a.to);
  let out = '';
  let cursor = 0;
  for (const { from, to } of matches) {
    if (to <= cursor) continue;
    out += `${text.slice(cursor, Math.max(cursor, from))}${from >= cursor ? REDACTED : ''}`;
    cursor = to;
  }
  return out + text.slice(cursor);
}
