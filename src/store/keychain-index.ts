// The keychain's lists of keys: one index item per principal namespace, so a user's writes and listings
// touch only that user's list; the root item names the namespaces and lists the keys outside any.
import { damaged, type KeychainItems, RESERVED } from './keychain-items.js';
import { namespaceOf, namespaceOfPrefix } from './namespaces.js';

export const INDEX_ACCOUNT = `${RESERVED}index`;
export const namespaceIndexAccount = (namespace: string) => `${INDEX_ACCOUNT}/${namespace}`;

/** Key -> absolute expiry (epoch ms), null for none. */
export type Index = Record<string, number | null>;

interface RootIndex {
  keys: Index;
  namespaces: string[];
  /** The single index of every key that versions before this one wrote (`v: 1`). */
  single: boolean;
}

export class KeychainIndex {
  readonly #items: KeychainItems;
  /** Once the root is per-namespace it stays so; until then, namespace items may be a crashed migration's. */
  #split = false;

  constructor(items: KeychainItems) {
    this.#items = items;
  }

  /** Every listed key that may start with `prefix`, reading only the namespaces it can match. */
  async list(prefix: string): Promise<Index> {
    const namespace = namespaceOfPrefix(prefix);
    if (this.#split && namespace) return this.read(namespace);
    const root = await this.root();
    if (root.single || namespace === '') return root.keys;
    if (namespace !== undefined) return this.read(namespace);
    const all = { ...root.keys };
    for (const name of root.namespaces) Object.assign(all, await this.read(name));
    return all;
  }

  async root(): Promise<RootIndex> {
    const parsed = await this.#readItem(INDEX_ACCOUNT);
    if (!parsed) return { keys: {}, namespaces: [], single: false };
    const namespaces = parsed.namespaces;
    if (parsed.v === 1) return { keys: parsed.keys, namespaces: [], single: true };
    if (parsed.v !== 2 || !Array.isArray(namespaces) || !namespaces.every((n) => typeof n === 'string'))
      throw damaged(INDEX_ACCOUNT, 'the list of stored keys is not readable');
    this.#split = true;
    return { keys: parsed.keys, namespaces, single: false };
  }

  /** The index of one namespace ('' is the root's own keys). */
  async read(namespace: string): Promise<Index> {
    if (namespace === '') return (await this.root()).keys;
    const parsed = await this.#readItem(namespaceIndexAccount(namespace));
    return parsed?.keys ?? {};
  }

  /** Under the data lock. A namespace's item is written before the root names it, so the root never names a missing list. */
  async write(namespace: string, index: Index, root: RootIndex): Promise<void> {
    if (namespace === '') return this.#writeRoot({ ...root, keys: index });
    await this.#items.write(namespaceIndexAccount(namespace), JSON.stringify({ v: 1, keys: index }));
    if (!root.namespaces.includes(namespace))
      await this.#writeRoot({ ...root, namespaces: [...root.namespaces, namespace] });
  }

  /**
   * Under the data lock: splits a single index into one per namespace. The root is rewritten last, so a
   * crash before it leaves the single index in charge and the next writer splits again.
   */
  async split(root: RootIndex): Promise<RootIndex> {
    const byNamespace = new Map<string, Index>();
    for (const [key, exp] of Object.entries(root.keys)) {
      const namespace = namespaceOf(key);
      byNamespace.set(namespace, { ...byNamespace.get(namespace), [key]: exp });
    }
    const namespaces = [...byNamespace.keys()].filter((name) => name !== '');
    for (const name of namespaces)
      await this.#items.write(
        namespaceIndexAccount(name),
        JSON.stringify({ v: 1, keys: byNamespace.get(name) }),
      );
    const split = { keys: byNamespace.get('') ?? {}, namespaces, single: false };
    await this.#writeRoot(split);
    return split;
  }

  async #writeRoot(root: RootIndex): Promise<void> {
    await this.#items.write(
      INDEX_ACCOUNT,
      JSON.stringify({ v: 2, keys: root.keys, namespaces: root.namespaces }),
    );
    this.#split = true;
  }

  async #readItem(account: string): Promise<{ v: unknown; keys: Index; namespaces?: unknown } | undefined> {
    const held = await this.#items.read(account);
    if (!held) return undefined;
    try {
      const parsed = JSON.parse(held.value) as { v?: unknown; keys?: unknown; namespaces?: unknown };
      if (typeof parsed.keys === 'object' && parsed.keys !== null && !Array.isArray(parsed.keys))
        return { v: parsed.v, keys: parsed.keys as Index, namespaces: parsed.namespaces };
    } catch {
      // reported below
    }
    throw damaged(account, 'the list of stored keys is not readable');
  }
}
