// Store values as keychain items: a head item per key (the commit point), chunk items for large values,
// reassembled only when their SHA-256 matches.
import { OAuthToolError } from '../errors.js';
import { encodeValue, type ItemLimit, joinChunks, parseHead } from './chunking.js';
import type { KeychainOp, KeychainResult } from './keychain-worker.js';

/** Accounts of our own bookkeeping; typed store keys (`session:`, `u:`...) never start with `~`. */
export const RESERVED = '~oauth-mcp/';
export const chunkAccount = (gen: string, i: number) => `${RESERVED}chunk/${gen}/${i}`;

export interface Held {
  value: string;
  /** Absolute expiry, epoch ms. */
  exp?: number | undefined;
}

export class KeychainItems {
  readonly #run: (ops: KeychainOp[]) => Promise<KeychainResult[]>;
  readonly #limit: ItemLimit;

  constructor(run: (ops: KeychainOp[]) => Promise<KeychainResult[]>, limit: ItemLimit) {
    this.#run = run;
    this.#limit = limit;
  }

  async read(key: string, retry = true): Promise<Held | undefined> {
    const [text] = await this.#run([{ type: 'get', account: key }]);
    if (typeof text !== 'string') return undefined;
    const head = parseHead(text);
    if (!head) throw damaged(key, 'it is not in the format oauth-mcp writes');
    if (!isLive(head.exp)) return undefined;
    if ('value' in head) return { value: head.value, exp: head.exp };
    const ops: KeychainOp[] = [];
    for (let i = 0; i < head.chunks; i++) ops.push({ type: 'get', account: chunkAccount(head.gen, i) });
    const chunks = (await this.#run(ops)).map((c) => (typeof c === 'string' ? c : null));
    const value = joinChunks(head, chunks);
    if (value !== undefined) return { value, exp: head.exp };
    // Another process may have replaced the value, and removed these chunks, between our two reads.
    const [again] = await this.#run([{ type: 'get', account: key }]);
    if (retry && again !== text) return this.read(key, false);
    throw damaged(key, 'a chunk is missing or does not match its SHA-256 checksum');
  }

  /** Chunks first, then the head that names them (the commit point), then the previous value's chunks go. */
  async write(key: string, value: string, exp?: number): Promise<void> {
    const [previous] = await this.#run([{ type: 'get', account: key }]);
    const { head, chunks } = encodeValue(value, this.#limit, exp);
    if ('gen' in head) {
      await this.#run(
        chunks.map((chunk, i) => ({ type: 'set', account: chunkAccount(head.gen, i), value: chunk })),
      );
    }
    await this.#run([{ type: 'set', account: key, value: JSON.stringify(head) }]);
    if (typeof previous === 'string') await this.#deleteChunks(previous);
  }

  async remove(key: string): Promise<void> {
    const [previous] = await this.#run([{ type: 'get', account: key }]);
    if (typeof previous !== 'string') return;
    await this.#run([{ type: 'delete', account: key }]);
    await this.#deleteChunks(previous);
  }

  async #deleteChunks(headText: string): Promise<void> {
    const head = parseHead(headText);
    if (!head || !('gen' in head)) return;
    const ops: KeychainOp[] = [];
    for (let i = 0; i < head.chunks; i++) ops.push({ type: 'delete', account: chunkAccount(head.gen, i) });
    await this.#run(ops);
  }
}

export function isLive(exp: number | null | undefined): boolean {
  return exp === undefined || exp === null || exp > Date.now();
}

export function damaged(account: string, why: string): OAuthToolError {
  return new OAuthToolError(
    'store_unavailable',
    `The keychain item "${account}" of oauth-mcp is damaged (${why}); it was not used. Remove it (e.g. with the OS keychain manager or secret-tool) and sign in again.`,
  );
}
