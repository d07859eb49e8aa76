// Typed, validated records on top of a TokenStore: sessions, pending flows and client profiles,
// each in a namespace of its own per principal (HTTP mode keeps every user's tokens apart).

import { createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { ProviderConfig } from '../../config/index.js';
import { learnSecretsOf } from '../../secrets/index.js';
import {
  type LockOptions,
  type StoreInfo,
  type TokenStore,
  UnreadableValueError,
} from '../../store/token-store.js';
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

/** Random bytes drawn from the CSPRNG in batches, as `crypto.randomUUID` does: one draw per 256 ids, not one per id. */
const ID_BYTES = 16;
let idPool = Buffer.alloc(0);
let idOffset = 0;

export function newId(prefix: 'ses' | 'flw'): string {
  if (idOffset + ID_BYTES > idPool.length) {
    idPool = randomBytes(ID_BYTES * 256);
    idOffset = 0;
  }
  const id = idPool.toString('base64url', idOffset, idOffset + ID_BYTES);
  idOffset += ID_BYTES;
  return `${prefix}_${id}`;
}

/**
 * A session that cannot be refreshed stays this long past its token's expiry, so listings and the token
 * doctor can still say it expired; then the store drops it (redis by its native expiry).
 */
const EXPIRED_SESSION_KEPT_SECONDS = 24 * 60 * 60;

export class Vault implements ProfileSource {
  readonly #store: TokenStore;
  readonly #namespace: string;
  readonly #warn: (message: string) => void;

  constructor(store: TokenStore, namespace = '', onWarning: (message: string) => void = () => {}) {
    this.#store = store;
    this.#namespace = namespace;
    this.#warn = onWarning;
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
    return new Vault(this.#store, `u:${id}:`, this.#warn);
  }

  // --- sessions

  getSession(id: string): Promise<StoredSession | undefined> {
    return this.#read(`session:${id}`, storedSessionSchema);
  }

  /** A session with a refresh token is kept until it is removed; one without, until a day past its expiry. */
  async putSession(session: StoredSession): Promise<void> {
    const expiresAt = session.refresh_token === undefined ? session.expires_at : undefined;
    const ttlSeconds =
      expiresAt === undefined ? undefined : secondsUntil(expiresAt) + EXPIRED_SESSION_KEPT_SECONDS;
    await this.#write(`session:${session.session_id}`, session, ttlSeconds);
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
    await this.#write(`flow:${flow.flow_id}`, flow, secondsUntil(flow.expires_at));
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
    const entry = { namespace: this.#namespace, flow_id: flowId };
    await this.#store.set(key, JSON.stringify(entry), { ttlSeconds: secondsUntil(expiresAt) });
  }

  async #findFlow(key: string): Promise<{ vault: Vault; flowId: string } | undefined> {
    const text = await this.#store.get(key);
    if (text === undefined) return undefined;
    const entry = parseRecord(key, text, flowStateSchema);
    return { vault: new Vault(this.#store, entry.namespace, this.#warn), flowId: entry.flow_id };
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

  /** A record the store cannot open, or a damaged one, is skipped with a warning: it must not hide the others. */
  async #readKeys<T>(keys: readonly string[], schema: z.ZodType<T>): Promise<T[]> {
    const records: T[] = [];
    for (const key of keys) {
      try {
        const text = await this.#store.get(key);
        if (text !== undefined) records.push(learned(parseRecord(key, text, schema)));
      } catch (error) {
        if (!(error instanceof UnreadableValueError)) throw error;
        this.#warn(`skipped the stored record ${key.slice(this.#namespace.length)}: ${error.message}`);
      }
    }
    return records;
  }

  async #write(key: string, record: unknown, ttlSeconds?: number): Promise<void> {
    learnSecretsOf(record);
    await this.#store.set(this.#key(key), JSON.stringify(record), ttlSeconds ? { ttlSeconds } : undefined);
  }
}

/** Whole seconds from now until an ISO time, at least 1 (a store TTL must be positive). */
function secondsUntil(iso: string): number {
  return Math.max(1, Math.ceil((Date.parse(iso) - Date.now()) / 1000));
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
    throw new UnreadableValueError(
      `The stored record ${key} is not valid JSON; the store may be damaged. Remove that entry or sign in again.`,
    );
  }
  const result = schema.safeParse(json);
  if (!result.success) {
    throw new UnreadableValueError(
      `The stored record ${key} does not have the expected shape (written by another version of oauth-mcp?). Remove that entry or sign in again.`,
      { detail: result.error.message },
    );
  }
  return result.data;
}
