// Runs @napi-rs/keyring in a child process, so a keychain call that blocks (a locked keyring's unlock
// prompt, a D-Bus peer that never answers) costs a timeout and a kill, never a stuck server.
import { type ChildProcess, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { OAuthToolError } from '../errors.js';

export type KeychainOp =
  | { type: 'get'; account: string }
  | { type: 'set'; account: string; value: string }
  | { type: 'delete'; account: string };

/** `get` gives the password or null; `set` gives null; `delete` gives whether an item was there. */
export type KeychainResult = string | boolean | null;

const COLLECT_EVERY = 100;

/**
 * The child's whole program (CommonJS, run with `node -e`). It is a string rather than a module so the
 * same code runs from the TypeScript sources under vitest and from dist/. The native call blocks the
 * child's only thread, which is the point: the parent keeps its own timer. On Linux the entry is pinned
 * to the Secret Service, because the library otherwise falls back silently to the kernel keyring,
 * which keeps secrets in memory only and loses every token at reboot. Each Entry holds a D-Bus
 * connection of its own until V8 collects it (its finalizer runs on a later turn of the event loop),
 * and the child's small heap is rarely collected: the bus refuses more connections per user (256 on a
 * default bus) or, past 1,024 descriptors, libdbus's select() spins forever. So the child collects
 * every COLLECT_EVERY entries and yields once for the finalizers.
 */
const CHILD_SOURCE = `
const { Entry } = require(process.env.OAUTH_MCP_KEYRING_MODULE);
const options = { linux: { store: 'secret-service' } };
let created = 0;
let queue = Promise.resolve();
process.on('disconnect', () => process.exit(0));
process.on('message', (message) => {
  queue = queue.then(() => answer(message));
});
async function answer({ id, service, ops }) {
  const results = [];
  try {
    for (const op of ops) {
      if (++created % ${COLLECT_EVERY} === 0) await collect();
      const entry = new Entry(service, op.account, options);
      if (op.type === 'get') results.push(entry.getPassword() ?? null);
      else if (op.type === 'set') results.push((entry.setPassword(op.value), null));
      else results.push(entry.deletePassword());
    }
    process.send({ id, results });
  } catch (error) {
    process.send({ id, error: String((error && error.message) || error) });
  }
}
function collect() {
  global.gc();
  return new Promise((resolve) => setImmediate(resolve));
}
`;

/** After a call timed out, how long further calls fail fast rather than wait again. */
const STALLED_RETRY_MS = 15_000;

interface Pending {
  resolve(results: KeychainResult[]): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
}

interface Reply {
  id: number;
  results?: KeychainResult[];
  error?: string;
}

/** The keychain is unreachable or refused the call (as opposed to holding damaged data). */
export class KeychainUnavailableError extends OAuthToolError {
  /** Why, in a few words (for the `auto` warning and StoreInfo.reason). */
  readonly reason: string;

  constructor(reason: string, detail?: unknown) {
    super(
      'store_unavailable',
      `The OS keychain is not usable: ${reason}. Unlock the keychain (on Linux: run and unlock a Secret Service such as gnome-keyring or KWallet on the D-Bus session bus) and retry, or set store.type to "file" in the config.`,
      detail === undefined ? {} : { detail: detail instanceof Error ? detail.message : String(detail) },
    );
    this.reason = reason;
  }
}

export class KeychainWorker {
  readonly #service: string;
  readonly #env: NodeJS.ProcessEnv;
  #child: ChildProcess | undefined;
  #nextId = 1;
  readonly #pending = new Map<number, Pending>();
  #stderr = '';
  #stalled: { reason: string; until: number } | undefined;

  constructor(options: { service: string; env?: NodeJS.ProcessEnv }) {
    this.#service = options.service;
    this.#env = options.env ?? process.env;
  }

  /** Runs the ops in order in one round trip; rejects with KeychainUnavailableError on failure or timeout. */
  run(ops: KeychainOp[], timeoutMs: number): Promise<KeychainResult[]> {
    if (ops.length === 0) return Promise.resolve([]);
    if (this.#stalled && performance.now() < this.#stalled.until) {
      const seconds = Math.ceil((this.#stalled.until - performance.now()) / 1000);
      return Promise.reject(unavailable(`${this.#stalled.reason}; not asked again for ${seconds} s`));
    }
    this.#stalled = undefined;
    const child = this.#spawn();
    const id = this.#nextId++;
    return new Promise<KeychainResult[]>((resolve, reject) => {
      const timer = setTimeout(() => {
        // The child is stuck in a native call that nothing else can interrupt. Calls in the next
        // seconds fail at once instead of each waiting out its own timeout on the same dead bus.
        const reason = `the OS keychain did not answer within ${timeoutMs} ms (a locked keyring waiting for its password, or a session bus that does not respond)`;
        this.#stalled = { reason, until: performance.now() + STALLED_RETRY_MS };
        this.#kill(unavailable(reason));
      }, timeoutMs);
      this.#pending.set(id, { resolve, reject, timer });
      child.send({ id, service: this.#service, ops }, (error) => {
        if (error)
          this.#settle(id, undefined, unavailable('the keychain helper process could not be reached', error));
      });
    });
  }

  close(): void {
    this.#kill(unavailable('the token store was closed (the server is shutting down)'));
  }

  #spawn(): ChildProcess {
    if (this.#child) return this.#child;
    const keyring = createRequire(import.meta.url).resolve('@napi-rs/keyring');
    // stdout stays closed: in stdio mode the parent's stdout is the MCP protocol.
    const child = spawn(process.execPath, ['--expose-gc', '-e', CHILD_SOURCE], {
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      env: { ...this.#env, OAUTH_MCP_KEYRING_MODULE: keyring },
      windowsHide: true,
    });
    this.#stderr = '';
    child.stderr?.setEncoding('utf8').on('data', (text: string) => {
      this.#stderr = (this.#stderr + text).slice(-2_000);
    });
    child.on('message', (reply: Reply) => this.#settle(reply.id, reply.results, reply.error));
    child.on('error', (error) => {
      if (this.#child === child)
        this.#kill(unavailable('the keychain helper process failed to start', error));
    });
    child.on('exit', (code, signal) => {
      if (this.#child !== child) return;
      this.#child = undefined;
      const why = signal ?? `exit code ${code}`;
      this.#failAll(
        unavailable(`the keychain helper process stopped (${why})`, this.#stderr.trim() || undefined),
      );
    });
    // The helper must never keep the server alive on its own: only pending calls (their timers) do.
    child.unref();
    (child.channel as { unref?: () => void } | undefined)?.unref?.();
    (child.stderr as { unref?: () => void } | null)?.unref?.();
    this.#child = child;
    return child;
  }

  #settle(id: number, results: KeychainResult[] | undefined, error: string | Error | undefined): void {
    const pending = this.#pending.get(id);
    if (!pending) return;
    this.#pending.delete(id);
    clearTimeout(pending.timer);
    if (error === undefined && results) pending.resolve(results);
    else pending.reject(error instanceof Error ? error : unavailable(friendly(error ?? 'no answer'), error));
  }

  #kill(error: Error): void {
    const child = this.#child;
    this.#child = undefined;
    child?.kill('SIGKILL');
    this.#failAll(error);
  }

  #failAll(error: Error): void {
    for (const id of [...this.#pending.keys()]) this.#settle(id, undefined, error);
  }
}

function unavailable(reason: string, detail?: unknown): KeychainUnavailableError {
  return new KeychainUnavailableError(reason, detail);
}

/** The library's messages name the platform layer; keep the useful part for the user. */
function friendly(message: string): string {
  return message.replace(/^Platform failure: /, '').slice(0, 300);
}
