// Typed, validated records on top of a TokenStore: sessions, pending flows and client profiles,
// each in a namespace of its own per principal (HTTP mode keeps every user's tokens apart).

import { createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { ProviderConfig } from '../../config/index.js';
import { OAuthToolError } from '../../errors.js';
import { learnSecretsOf } from '../../secrets/index.js';
import type { LockOptions, StoreInfo, TokenStore } from '../../store/token-store.js';
import type { ProfileSource } from '../provider/registry.js';
import {
  type ClientProfile,
  clientProfileSchema,
  type PendingFlow,
  pendingFlowSchema,
  type StoredSession,
  storedSessionSchema,
} from './records.js';

/** The global `flowstate:<state>` and `flowstart:<handle>` index entries: which namespace holds the flow. */
const flowStateSchema = z.object({ namespace: z.string(), flow_id: z.string() });

export function newId(prefix: 'ses' | 'flw'): string {
  return `${prefix}_${randomBytes(16).toString('base64url')}`;
}

export class Vault implements ProfileSource {
  readonly #store: TokenStore;
  readonly #namespace: string;

  constructor(store: TokenStore, namespace = '') {
    this.#store = store;
    this.#namespace = namespace;
  }

  get info(): StoreInfo {
    return this.#store.info;
  }

  get store(): TokenStore {
    return this.#store;
  }

  /** A vault that sees only this principal's records (`iss` + `sub` of an HTTP caller). */
  forPrincipal(principal: string): Vault {
    const id = createHash('sha256').update(principal).digest('hex').slice(0, 24);
    return new Vault(this.#store, `u:${id}:`);
  }

  // --- sessions

  getSession(id: string): Promise<StoredSession | undefined> {
    return this.#read(`session:${id}`, storedSessionSchema);
  }

  async putSession(session: StoredSession): Promise<void> {
    await this.#write(`session:${session.session_id}`, session);
  }

  async deleteSession(id: string): Promise<void> {
    await this.#store.delete(this.#key(`session:${id}`));
  }

  /**
   * This principal's session ids, sorted: listing keys reads no record through this layer, so a page
   * of sessions costs the ids plus that page's records (getSessions).
   */
  async sessionIds(): Promise<string[]> {
    const prefix = this.#key('session:');
    return (await this.#store.keys(prefix)).map((key) => key.slice(prefix.length)).sort();
  }

  /** The sessions of these ids, in their order; one gone meanwhile or damaged is skipped as in listSessions. */
  getSessions(ids: readonly string[]): Promise<StoredSession[]> {
    return this.#readKeys(
      ids.map((id) => this.#key(`session:${id}`)),
      storedSessionSchema,
    );
  }

  async listSessions(filter: { provider?: string } = {}): Promise<StoredSession[]> {
    const sessions = await this.#readAll('session:', storedSessionSchema);
    return sessions
      .filter((s) => !filter.provider || s.provider === filter.provider)
      .sort((a, b) => a.updated_at.localeCompare(b.updated_at));
  }

  // --- pending sign-in flows

  getFlow(id: string): Promise<PendingFlow | undefined> {
    return this.#read(`flow:${id}`, pendingFlowSchema);
  }

  async putFlow(flow: PendingFlow): Promise<void> {
    const ttlSeconds = Math.max(1, Math.ceil((Date.parse(flow.expires_at) - Date.now()) / 1000));
    await this.#write(`flow:${flow.flow_id}`, flow, ttlSeconds);
  }

  async deleteFlow(id: string): Promise<void> {
    await this.#store.delete(this.#key(`flow:${id}`));
  }

  /** Live pending sign-ins of this principal (HTTP mode caps them). */
  async countFlows(): Promise<number> {
    return (await this.#store.keys(this.#key('flow:'))).length;
  }

  /**
   * A redirect to `/oauth/callback` carries no bearer token, only `state`: this global (un-namespaced)
   * index finds the principal and flow from `state` alone. It expires with the flow.
   */
  putFlowState(state: string, flowId: string, expiresAt: string): Promise<void> {
    return this.#putFlowIndex(`flowstate:${state}`, flowId, expiresAt);
  }

  /** The vault of the principal that started the flow for `state`, and the flow's id. */
  findFlowByState(state: string): Promise<{ vault: Vault; flowId: string } | undefined> {
    return this.#findFlow(`flowstate:${state}`);
  }

  async deleteFlowState(state: string): Promise<void> {
    await this.#store.delete(`flowstate:${state}`);
  }

  /** HTTP mode's `/oauth/start/<handle>` page, like `state`, reaches the flow without a bearer token. */
  putFlowStart(handle: string, flowId: string, expiresAt: string): Promise<void> {
    return this.#putFlowIndex(`flowstart:${handle}`, flowId, expiresAt);
  }

  findFlowByStart(handle: string): Promise<{ vault: Vault; flowId: string } | undefined> {
    return this.#findFlow(`flowstart:${handle}`);
  }

  async deleteFlowStart(handle: string): Promise<void> {
    await this.#store.delete(`flowstart:${handle}`);
  }

  async #putFlowIndex(key: string, flowId: string, expiresAt: string): Promise<void> {
    const ttlSeconds = Math.max(1, Math.ceil((Date.parse(expiresAt) - Date.now()) / 1000));
    const entry = { namespace: this.#namespace, flow_id: flowId };
    await this.#store.set(key, JSON.stringify(entry), { ttlSeconds });
  }

  async #findFlow(key: string): Promise<{ vault: Vault; flowId: string } | undefined> {
    const text = await this.#store.get(key);
    if (text === undefined) return undefined;
    const entry = parseRecord(key, text, flowStateSchema);
    return { vault: new Vault(this.#store, entry.namespace), flowId: entry.flow_id };
  }

  // --- registered client profiles

  async getClientProfile(name: string): Promise<ClientProfile | undefined> {
    return this.#read(`client:${name}`, clientProfileSchema);
  }

  async putClientProfile(profile: ClientProfile): Promise<void> {
    await this.#write(`client:${profile.name}`, profile);
  }

  async deleteClientProfile(name: string): Promise<void> {
    await this.#store.delete(this.#key(`client:${name}`));
  }

  async getProfile(name: string): Promise<ProviderConfig | undefined> {
    return (await this.getClientProfile(name))?.settings;
  }

  async listProfileNames(): Promise<string[]> {
    const keys = await this.#store.keys(this.#key('client:'));
    return keys.map((key) => key.slice(this.#key('client:').length));
  }

  /** A lock shared by every process on this store, e.g. `refresh:<session_id>`. */
  lock(name: string, options?: LockOptions): Promise<() => Promise<void>> {
    return this.#store.lock(this.#key(name), options);
  }

  #key(key: string): string {
    return `${this.#namespace}${key}`;
  }

  async #read<T>(key: string, schema: z.ZodType<T>): Promise<T | undefined> {
    const text = await this.#store.get(this.#key(key));
    if (text === undefined) return undefined;
    return learned(parseRecord(key, text, schema));
  }

  /** Every record under a prefix; a damaged one is skipped here (reading it by id reports it). */
  async #readAll<T>(prefix: string, schema: z.ZodType<T>): Promise<T[]> {
    return this.#readKeys(await this.#store.keys(this.#key(prefix)), schema);
  }

  async #readKeys<T>(keys: readonly string[], schema: z.ZodType<T>): Promise<T[]> {
    const records: T[] = [];
    for (const key of keys) {
      const text = await this.#store.get(key);
      if (text === undefined) continue;
      try {
        records.push(learned(parseRecord(key, text, schema)));
      } catch {
        // skipped: one damaged entry must not hide every other session
      }
    }
    return records;
  }

  async #write(key: string, record: unknown, ttlSeconds?: number): Promise<void> {
    learnSecretsOf(record);
    await this.#store.set(this.#key(key), JSON.stringify(record), ttlSeconds ? { ttlSeconds } : undefined);
  }
}

/** Tokens, verifiers, device codes and client secrets enter the process here: the registry learns them. */
function learned<T>(record: T): T {
  learnSecretsOf(record);
  return record;
}

function parseRecord<T>(key: string, text: string, schema: z.ZodType<T>): T {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new OAuthToolError(
      'store_unavailable',
      `The stored record ${key} is not valid JSON; the store may be damaged. Remove that entry or sign in again.`,
    );
  }
  const result = schema.safeParse(json);
  if (!result.success) {
    throw new OAuthToolError(
      'store_unavailable',
      `The stored record ${key} does not have the expected shape (written by another version of oauth-mcp?). Remove that entry or sign in again.`,
      { detail: result.error.message },
    );
  }
  return result.data;
}
