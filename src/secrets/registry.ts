// The one secret registry: every token, code, verifier, device code and client secret the process holds,
// learned where it enters, and redacted from every string that leaves (raw, escaped, encoded or cut short).
// Each secret has an owner (a principal, or '' for the local user and requests without one) and an
// audience: whose output it is redacted from. Logs and other operator exits see every secret.

import { randomInt } from 'node:crypto';
import { unescapedView } from './escapes.js';
import { type FormGroup, headHash, headHashes, MIN_SECRET_LENGTH, matchForms, rollHash } from './forms.js';

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
/** Index keys are head hashes cut to 30 bits: small integers, which V8 keeps in a Map with no allocation. */
const KEY_MASK = 0x3fffffff;
/**
 * V8 hashes integer Map keys with no seed, and a caller chooses the secrets it pastes: mixing in a seed
 * of our own keeps them from piling their keys into one bucket of the index.
 */
const KEY_SEED = randomInt(KEY_MASK + 1);
/** Keys dropped from the index leave their filter bit set until this many (or as many as remain) are stale. */
const MIN_STALE_TO_REBUILD = 4096;
const GROUPS: readonly FormGroup[] = ['raw', 'base64', 'signature'];
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
  /** Its length in UTF-8 bytes (its base64 spellings depend on it). */
  readonly size: number;
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

/** The entries whose spellings start with a given head (one, or several), by head key. */
type Index = Map<number, SecretEntry | SecretEntry[]>;

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
  /** Owners by how many secrets they hold, so the largest is found with no scan of every owner's bucket. */
  readonly #owners = new Map<number, Set<string>>();
  #largest = 0;
  /**
   * Per group of spellings, the key of each one's first MIN_SECRET_LENGTH chars -> the secrets spelt so.
   * Only keys are kept, not the spellings: a text is compared with the secret itself where a key turns up.
   */
  readonly #index: Record<FormGroup, Index> = { raw: new Map(), base64: new Map(), signature: new Map() };
  /** A bit per slot that some key hashes to: small enough to stay in cache, so most positions cost one lookup. */
  readonly #filter = new Int32Array((1 << FILTER_BITS) / 32);
  /** Keys dropped since the filter was last rebuilt (their bits may still be set: a few more lookups, no miss). */
  #stale = 0;
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
      entry = newEntry(value, owner, audience);
      this.#add(entry);
      this.#learned++;
      this.#resized(owner, bucket.size, bucket.size + 1);
    }
    // Keyed by the entry's own string: the copy just read from a record or a response is not kept too.
    bucket.set(entry.value, entry);
    const quota = owner === '' ? this.#capacity : Math.min(this.#capacity, this.#perPrincipal);
    if (bucket.size > quota) this.#evictOldest(owner, bucket);
    if (this.#learned > this.#total) this.#evictOldest(...this.#largestBucket());
    return entry;
  }

  /** The owner holding the most secrets: a flood forgets the flooder's own secrets, not anyone else's. */
  #largestBucket(): [string, Map<string, SecretEntry>] {
    const owner = this.#owners.get(this.#largest)?.values().next().value ?? '';
    return [owner, this.#buckets.get(owner) ?? new Map()];
  }

  #resized(owner: string, from: number, to: number): void {
    const before = this.#owners.get(from);
    before?.delete(owner);
    if (before?.size === 0) this.#owners.delete(from);
    if (to > 0) this.#owners.set(to, (this.#owners.get(to) ?? new Set()).add(owner));
    this.#largest = Math.max(this.#largest, to);
    while (this.#largest > 0 && !this.#owners.has(this.#largest)) this.#largest--;
  }

  #evictOldest(owner: string, bucket: Map<string, SecretEntry>): void {
    const oldest = bucket.values().next().value;
    if (!oldest) return;
    bucket.delete(oldest.value);
    this.#resized(owner, bucket.size + 1, bucket.size);
    if (bucket.size === 0) this.#buckets.delete(owner);
    this.#learned--;
    this.#drop(oldest);
  }

  /** A secret held for the life of the process (config secrets): never forgotten, redacted for everyone. */
  pin(value: string | undefined | null): SecretEntry | undefined {
    if (!isSecretLike(value)) return undefined;
    let entry = this.#pinned.get(value);
    if (!entry) {
      entry = newEntry(value, PROCESS, 'everyone');
      this.#add(entry);
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
    if (entry.holds === 0 && !entry.listed) this.#remove(entry);
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
    if (text.length < MIN_SECRET_LENGTH) return matches; // an unescaped view can be shorter than its text
    const filter = this.#filter;
    let hash = headHash(text, 0);
    for (let i = 0; ; i++) {
      const key = keyOf(hash);
      const slot = slotOf(key);
      if (((filter[slot >>> 5] as number) & (1 << (slot & 31))) !== 0) {
        for (const group of GROUPS) {
          const found = this.#index[group].get(key);
          if (found === undefined) continue;
          for (const entry of Array.isArray(found) ? found : [found]) {
            matchAt(text, i, entry, group, cutAtEnd, viewer, matches);
          }
        }
      }
      if (i + MIN_SECRET_LENGTH >= text.length) return matches;
      hash = rollHash(hash, text.charCodeAt(i), text.charCodeAt(i + MIN_SECRET_LENGTH));
    }
  }

  /**
   * Indexes a secret by the heads of its spellings, computed from its first bytes: learning costs no
   * encoding of the whole secret, and nothing but a few integer keys is kept beside it.
   */
  #add(entry: SecretEntry): void {
    this.#forEachKey(entry, (index, key) => {
      const found = index.get(key);
      if (found === undefined) {
        index.set(key, entry);
        const slot = slotOf(key);
        this.#filter[slot >>> 5] = (this.#filter[slot >>> 5] as number) | (1 << (slot & 31));
      } else if (Array.isArray(found)) found.push(entry);
      else index.set(key, [found, entry]);
    });
    this.#indexed++;
  }

  /** Each index and key a secret is filed under: #add and #remove walk the same ones. */
  #forEachKey(entry: SecretEntry, visit: (index: Index, key: number) => void): void {
    const hashes = headHashes(entry.value, entry.size);
    for (const group of GROUPS) {
      for (const key of new Set(hashes[group].map(keyOf))) visit(this.#index[group], key);
    }
  }

  #drop(entry: SecretEntry): void {
    entry.listed = false;
    if (entry.holds === 0) this.#remove(entry);
  }

  #remove(entry: SecretEntry): void {
    this.#forEachKey(entry, (index, key) => {
      const found = index.get(key);
      if (found === entry) {
        index.delete(key);
        this.#stale++;
      } else if (Array.isArray(found)) {
        // Secrets that start alike (ID tokens of one issuer) share a list: take this one out in place.
        found[found.indexOf(entry)] = found[found.length - 1] as SecretEntry;
        found.pop();
        if (found.length === 1) index.set(key, found[0] as SecretEntry);
      }
    });
    this.#indexed--;
    if (this.#stale > MIN_STALE_TO_REBUILD && this.#stale > this.#keys()) this.#rebuildFilter();
  }

  #keys(): number {
    return this.#index.raw.size + this.#index.base64.size + this.#index.signature.size;
  }

  #rebuildFilter(): void {
    this.#filter.fill(0);
    for (const group of GROUPS) {
      for (const key of this.#index[group].keys()) {
        const slot = slotOf(key);
        this.#filter[slot >>> 5] = (this.#filter[slot >>> 5] as number) | (1 << (slot & 31));
      }
    }
    this.#stale = 0;
  }
}

function newEntry(value: string, owner: string, audience: Audience): SecretEntry {
  return { value, size: Buffer.byteLength(value, 'utf8'), owner, audience, holds: 0, listed: true };
}

function keyOf(hash: number): number {
  return (hash ^ KEY_SEED) & KEY_MASK;
}

/** A key's filter slot: its bits mixed (Fibonacci hashing), so keys that differ only in high bits spread. */
function slotOf(key: number): number {
  return Math.imul(key, 0x9e3779b1) >>> (32 - FILTER_BITS);
}

/** Adds to `matches` each spelling in `group` of `entry` that `text` spells at `at` and that counts here. */
function matchAt(
  text: string,
  at: number,
  entry: SecretEntry,
  group: FormGroup,
  cutAtEnd: Cut,
  viewer: Viewer | undefined,
  matches: Match[],
): void {
  matchForms(text, at, entry.value, entry.size, group, (matched, length) => {
    const next = text[at + matched];
    // A shorter prefix is often public (a client id that starts the client secret, a JWT header).
    const cutShort =
      cutAtEnd === 'any' ||
      (next === undefined && cutAtEnd) ||
      (matched * 2 >= length && (next === undefined || !TOKEN_CHAR.test(next)));
    if (matched !== length && !cutShort) return;
    const share = matched / length;
    if (viewer && !appliesTo(entry, viewer, share)) return;
    matches.push({ from: at, to: at + matched, entry, share });
  });
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
