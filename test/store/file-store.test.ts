// FileStore: the TokenStore contract (plain and encrypted) plus file modes, restarts, corruption, keys and processes.
import { type ChildProcess, spawn } from 'node:child_process';
import {
  chmod,
  chown,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  rename,
  rm,
  stat,
  symlink,
  utimes,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FileStore, type FileStoreOptions } from '../../src/store/file-store.js';
import { FileStoreCodec } from '../../src/store/file-store-codec.js';
import { describeTokenStoreContract } from './contract.js';
import { buildFileStore } from './fixtures/build-file-store.js';

const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));
const KEY = 'correct horse battery staple';

async function tempDir(): Promise<string> {
  return mkdtemp(path.join(tmpdir(), 'oauth-mcp-filestore-'));
}

function contractStore(encryptionKey?: string) {
  return async () => {
    const dir = await tempDir();
    const store = new FileStore({ path: path.join(dir, 'tokens.json'), encryptionKey, reason: 'test' });
    return { store, cleanup: () => rm(dir, { recursive: true, force: true }) };
  };
}

describeTokenStoreContract('FileStore', contractStore());
describeTokenStoreContract('FileStore with encryption', contractStore(KEY));

describe('FileStore', () => {
  let dir: string;
  let file: string;
  const open: FileStore[] = [];
  const make = (options: Partial<FileStoreOptions> = {}) => {
    const store = new FileStore({ path: file, reason: 'test', ...options });
    open.push(store);
    return store;
  };

  beforeEach(async () => {
    dir = await tempDir();
    file = path.join(dir, 'nested', 'oauth-mcp', 'tokens.json');
  });

  afterEach(async () => {
    await Promise.all(open.splice(0).map((store) => store.close()));
    await rm(dir, { recursive: true, force: true });
  });

  it('reports the file path and whether it encrypts in info', () => {
    expect(make({ reason: 'store.type file' }).info).toEqual({
      backend: 'file',
      location: file,
      encrypted: false,
      reason: 'store.type file',
    });
    expect(make({ encryptionKey: KEY }).info.encrypted).toBe(true);
  });

  it.skipIf(process.platform === 'win32')('creates its directories 0700 and its files 0600', async () => {
    await make().set('u:abc:session:a', 'x');
    expect((await stat(path.dirname(file))).mode & 0o777).toBe(0o700);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const record = path.join(`${file}.d`, 'u%3Aabc%3A', 'session%3A', 'a');
    expect((await stat(path.dirname(record))).mode & 0o777).toBe(0o700);
    expect((await stat(record)).mode & 0o777).toBe(0o600);
  });

  it.skipIf(process.platform === 'win32')(
    'tightens a file readable by others to 0600 and says so',
    async () => {
      await make().set('session:a', 'x');
      await import('node:fs/promises').then((fs) => fs.chmod(file, 0o644));
      const warnings: string[] = [];
      const store = make({ onWarning: (message) => warnings.push(message) });
      expect(await store.get('session:a')).toBe('x');
      expect((await stat(file)).mode & 0o777).toBe(0o600);
      expect(warnings).toEqual([expect.stringContaining('0644')]);
    },
  );

  describe.skipIf(process.platform === 'win32')('its directories and records, checked on every open', () => {
    const plainRecord = (key: string, value: string) => `${JSON.stringify({ v: 1, key, value })}\n`;

    it('tightens a records directory open to all (0777) and a record readable by others, and says so', async () => {
      await make().set('u:abc:session:a', 'x');
      const record = path.join(`${file}.d`, 'u%3Aabc%3A', 'session%3A', 'a');
      await chmod(`${file}.d`, 0o777);
      await chmod(path.dirname(record), 0o755);
      await chmod(record, 0o644);
      const warnings: string[] = [];
      const store = make({ onWarning: (message) => warnings.push(message) });
      expect(await store.get('u:abc:session:a')).toBe('x');
      expect((await stat(`${file}.d`)).mode & 0o777).toBe(0o700);
      expect((await stat(path.dirname(record))).mode & 0o777).toBe(0o700);
      expect((await stat(record)).mode & 0o777).toBe(0o600);
      expect(warnings).toEqual([
        `${file}.d was open to other users (mode 0777); changed it to 0700`,
        `${path.dirname(record)} was open to other users (mode 0755); changed it to 0700`,
        `${record} was open to other users (mode 0644); changed it to 0600`,
      ]);
    });

    it('refuses a symbolic link in place of the records directory, for reads, listings and writes', async () => {
      await make().set('session:a', 'mine');
      const elsewhere = path.join(dir, 'elsewhere.d');
      await mkdir(path.join(elsewhere, '%', 'session%3A'), { recursive: true, mode: 0o700 });
      await writeFile(path.join(elsewhere, '%', 'session%3A', 'a'), plainRecord('session:a', 'planted'));
      await rm(`${file}.d`, { recursive: true });
      await symlink(elsewhere, `${file}.d`);
      const store = make();
      const refused = { code: 'store_unavailable', message: expect.stringContaining('is a symbolic link') };
      await expect(store.get('session:a')).rejects.toMatchObject(refused);
      await expect(store.keys('')).rejects.toMatchObject(refused);
      await expect(store.set('session:b', 'y')).rejects.toMatchObject(refused);
      expect(await readdir(path.join(elsewhere, '%', 'session%3A'))).toEqual(['a']);
    });

    it('refuses a symbolic link in place of a kind directory, a record or the header', async () => {
      await make().set('session:a', 'mine');
      const planted = path.join(dir, 'planted');
      await writeFile(planted, plainRecord('session:a', 'planted'), { mode: 0o600 });
      const record = path.join(`${file}.d`, '%', 'session%3A', 'a');
      await rm(record);
      await symlink(planted, record);
      await expect(make().get('session:a')).rejects.toMatchObject({
        message: expect.stringContaining(`${record} is a symbolic link`),
      });
      await rm(record);
      await rename(path.dirname(record), path.join(dir, 'kind'));
      await symlink(path.join(dir, 'kind'), path.dirname(record));
      await expect(make().keys('session:')).rejects.toMatchObject({
        message: expect.stringContaining('is a symbolic link'),
      });
      await rm(path.dirname(record));
      await rename(file, path.join(dir, 'header'));
      await symlink(path.join(dir, 'header'), file);
      await expect(make().get('session:a')).rejects.toMatchObject({
        message: expect.stringContaining(`${file} is a symbolic link`),
      });
    });

    it.skipIf(process.getuid?.() !== 0)(
      "refuses another user's directory or record (run as root)",
      async () => {
        await make().set('session:a', 'mine');
        const record = path.join(`${file}.d`, '%', 'session%3A', 'a');
        await chown(record, 65_534, 65_534);
        await expect(make().get('session:a')).rejects.toMatchObject({
          message: expect.stringContaining(`${record} belongs to another user (uid 65534)`),
        });
        await chown(record, 0, 0);
        await chown(`${file}.d`, 65_534, 65_534);
        await expect(make().keys('')).rejects.toMatchObject({
          message: expect.stringContaining(`${file}.d belongs to another user`),
        });
      },
    );
  });

  it('keeps its data across a restart (a new instance)', async () => {
    const first = make({ encryptionKey: KEY });
    await first.set('session:a', 'one');
    await first.set('flow:b', 'two', { ttlSeconds: 60 });
    await first.close();
    const second = make({ encryptionKey: KEY });
    expect(await second.get('session:a')).toBe('one');
    expect((await second.keys('')).sort()).toEqual(['flow:b', 'session:a']);
  });

  it('writes the documented plain format: a header, and one file per record under <path>.d', async () => {
    await make().set('u:abc:session:a', 'one');
    await make().set('flow:b', 'two', { ttlSeconds: 60 });
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({ v: 1, layout: 'records' });
    const record = path.join(`${file}.d`, 'u%3Aabc%3A', 'session%3A', 'a');
    expect(JSON.parse(await readFile(record, 'utf8'))).toEqual({
      v: 1,
      key: 'u:abc:session:a',
      value: 'one',
    });
    const flow = JSON.parse(await readFile(path.join(`${file}.d`, '%', 'flow%3A', 'b'), 'utf8'));
    expect(flow).toEqual({ v: 1, key: 'flow:b', value: 'two', expiresAt: expect.any(Number) });
  });

  it('encrypts keys and values at rest when given a key, file names included', async () => {
    await make({ encryptionKey: KEY }).set('u:principal:session:secret-key', 'secret-value-123');
    const header = JSON.parse(await readFile(file, 'utf8'));
    expect(header).toMatchObject({
      v: 1,
      layout: 'records',
      enc: { alg: 'aes-256-gcm', salt: expect.any(String), iv: expect.any(String) },
    });
    const files = (await readdir(`${file}.d`, { recursive: true })).map(String);
    expect(files).toHaveLength(3);
    expect(files.join(' ')).not.toMatch(/secret|principal|session/);
    for (const name of files) {
      const full = path.join(`${file}.d`, name);
      if ((await stat(full)).isFile()) {
        const text = await readFile(full, 'utf8');
        expect(text).not.toMatch(/secret|principal|session/);
        expect(Object.keys(JSON.parse(text)).sort()).toEqual(['enc', 'v']);
      }
    }
  });

  it("lists one namespace's keys without reading another's records", async () => {
    const store = make();
    await store.set('u:alice:session:1', 'a');
    await store.set('u:bob:session:1', 'b');
    await store.set('session:2', 'c');
    // a damaged record in bob's namespace does not concern a listing of alice's
    await writeFile(path.join(`${file}.d`, 'u%3Abob%3A', 'session%3A', '1'), 'garbage');
    expect(await store.keys('u:alice:session:')).toEqual(['u:alice:session:1']);
    expect(await store.keys('session:')).toEqual(['session:2']);
    // A store that has not seen bob's record yet (another process) reads it when listing every key.
    await expect(make().keys('')).rejects.toMatchObject({ code: 'store_unavailable' });
  });

  for (const encryptionKey of [undefined, KEY]) {
    it(`lists the keys another process added, removed or set again since this one listed them (${encryptionKey ? 'sealed' : 'plain'})`, async () => {
      const here = make({ encryptionKey });
      const there = make({ encryptionKey });
      await here.set('session:kept', 'a');
      await here.set('session:gone', 'b');
      await here.set('flow:renewed', 'pending', { ttlSeconds: 1 });
      expect((await here.keys('')).sort()).toEqual(['flow:renewed', 'session:gone', 'session:kept']);
      await there.delete('session:gone');
      await there.set('session:new', 'c');
      await there.set('flow:renewed', 'done');
      await new Promise((resolve) => setTimeout(resolve, 1_200));
      // `here` remembers flow:renewed as expired: it reads the record again instead of dropping it.
      expect((await here.keys('')).sort()).toEqual(['flow:renewed', 'session:kept', 'session:new']);
      expect(await here.get('flow:renewed')).toBe('done');
    });
  }

  it('leaves no lock or temp files behind after writing', async () => {
    const store = make();
    await Promise.all(Array.from({ length: 10 }, (_, i) => store.set(`session:${i}`, 'x')));
    const release = await store.lock('refresh:ses_1');
    await release();
    expect((await readdir(path.dirname(file))).sort()).toEqual(['tokens.json', 'tokens.json.d']);
    const records = (await readdir(`${file}.d`, { recursive: true })).map(String);
    expect(records.filter((name) => name.endsWith('.tmp') || name.endsWith('.lock'))).toEqual([]);
  });

  describe('a corrupt file', () => {
    for (const [what, content] of [
      ['not JSON', '{"v":1,"entries":{"session:a":'],
      ['JSON of the wrong shape', '{"v":1,"entries":{"session:a":{"value":42}}}'],
      ['another version', '{"v":2,"entries":{}}'],
      ['empty', ''],
    ] as const) {
      it(`is reported with its path and left untouched byte for byte when it is ${what}`, async () => {
        await mkdir(path.dirname(file), { recursive: true });
        await writeFile(file, content, { mode: 0o600 });
        const store = make();
        const expected = { code: 'store_unavailable', message: expect.stringContaining(file) };
        await expect(store.get('session:a')).rejects.toMatchObject(expected);
        await expect(store.set('session:a', 'x')).rejects.toMatchObject(expected);
        await expect(store.delete('session:a')).rejects.toMatchObject({
          message: expect.stringMatching(/move it aside/),
        });
        expect(await readFile(file, 'utf8')).toBe(content);
      });
    }
  });

  it('says the key is wrong, naming the file and the variable, and leaves the file alone', async () => {
    await make({ encryptionKey: KEY }).set('session:a', 'x');
    const before = await readFile(file);
    const wrong = make({ encryptionKey: 'not the key' });
    const expected = {
      code: 'store_unavailable',
      message: `The store key does not decrypt ${file}; set OAUTH_MCP_STORE_KEY to the key it was written with.`,
    };
    await expect(wrong.get('session:a')).rejects.toMatchObject(expected);
    await expect(wrong.set('session:b', 'y')).rejects.toMatchObject(expected);
    expect(await readFile(file)).toEqual(before);
  });

  it('asks for the key when the file is encrypted and no key is set', async () => {
    await make({ encryptionKey: KEY }).set('session:a', 'x');
    await expect(make().get('session:a')).rejects.toMatchObject({
      code: 'store_unavailable',
      message: expect.stringContaining('OAUTH_MCP_STORE_KEY'),
    });
  });

  it('refuses a plain store once a key is set, saying what to do, and leaves it untouched', async () => {
    await make().set('session:a', 'one');
    const before = await readFile(file);
    const keyed = make({ encryptionKey: KEY });
    const refusal = {
      code: 'store_unavailable',
      message: expect.stringMatching(
        /is not encrypted, but a store key is set.*Move .* aside and sign in again/,
      ),
    };
    await expect(keyed.get('session:a')).rejects.toMatchObject(refusal);
    await expect(keyed.set('session:b', 'two')).rejects.toMatchObject(refusal);
    expect(await readFile(file)).toEqual(before);
    expect(await make().get('session:a')).toBe('one');
  });

  describe('someone who can write the store', () => {
    it('cannot plant plain sessions by rewriting the header of an encrypted store as plain', async () => {
      const sealed = make({ encryptionKey: KEY });
      await sealed.set('session:real', 'genuine');
      await writeFile(file, `${JSON.stringify({ v: 1, layout: 'records' })}\n`);
      const planted = make();
      await planted.set('session:planted', '{"access_token":"attacker"}');
      const keyed = make({ encryptionKey: KEY });
      await expect(keyed.get('session:planted')).rejects.toMatchObject({ code: 'store_unavailable' });
      await expect(keyed.keys('session:')).rejects.toMatchObject({ code: 'store_unavailable' });
      await expect(keyed.set('session:x', 'y')).rejects.toMatchObject({ code: 'store_unavailable' });
    });

    it('cannot plant a plain record in an encrypted store, nor mark the store as being sealed', async () => {
      const sealed = make({ encryptionKey: KEY });
      await sealed.set('session:real', 'genuine');
      const header = await readFile(file, 'utf8');
      // A plain record under the plain name, with the header marked as an older version's half-sealed store.
      const plainFile = path.join(`${file}.d`, '%', 'session%3A', 'planted');
      await mkdir(path.dirname(plainFile), { recursive: true });
      await writeFile(plainFile, `${JSON.stringify({ v: 1, key: 'session:planted', value: 'attacker' })}\n`);
      await writeFile(file, `${JSON.stringify({ ...JSON.parse(header), resealing: true })}\n`);
      await expect(make({ encryptionKey: KEY }).get('session:planted')).rejects.toMatchObject({
        code: 'store_unavailable',
        message: expect.stringContaining('is not encrypted, but a store key is set'),
      });
      // With the header restored, the plain record is refused where it is listed.
      await writeFile(file, header);
      const keyed = make({ encryptionKey: KEY });
      expect(await keyed.get('session:real')).toBe('genuine');
      const realFile = (await readdir(`${file}.d`, { recursive: true, withFileTypes: true }))
        .filter((entry) => entry.isFile() && !entry.parentPath.includes('%'))
        .map((entry) => path.join(entry.parentPath, entry.name));
      expect(realFile).toHaveLength(1);
      await writeFile(
        realFile[0] as string,
        `${JSON.stringify({ v: 1, key: 'session:real', value: 'attacker' })}\n`,
      );
      await expect(make({ encryptionKey: KEY }).get('session:real')).rejects.toMatchObject({
        code: 'store_unavailable',
        message: expect.stringContaining('a plain record in an encrypted store'),
      });
    });
  });

  describe('the old single-document layout', () => {
    const legacy = (entries: Record<string, unknown>) => `${JSON.stringify({ v: 1, entries })}\n`;

    it('is read as it is, and moved into one file per record on the first write', async () => {
      await mkdir(path.dirname(file), { recursive: true });
      const past = Date.now() - 1_000;
      await writeFile(
        file,
        legacy({
          'session:a': { value: 'one' },
          'u:x:session:b': { value: 'two' },
          'flow:old': { value: 'x', expiresAt: past },
        }),
        { mode: 0o600 },
      );
      const store = make();
      expect(await store.get('session:a')).toBe('one');
      expect((await store.keys('')).sort()).toEqual(['session:a', 'u:x:session:b']);
      await store.set('session:c', 'three');
      expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({ v: 1, layout: 'records' });
      const reopened = make();
      expect((await reopened.keys('')).sort()).toEqual(['session:a', 'session:c', 'u:x:session:b']);
      expect(await reopened.get('u:x:session:b')).toBe('two');
    });

    it('moves an encrypted document into sealed records with the same key', async () => {
      const writer = new FileStoreCodec(file, KEY);
      const { text } = await writer.encode(new Map([['session:a', { value: 'secret-one' }]]), undefined);
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(file, text, { mode: 0o600 });
      await make({ encryptionKey: KEY }).set('session:b', 'two');
      expect(await make({ encryptionKey: KEY }).get('session:a')).toBe('secret-one');
      expect(JSON.parse(await readFile(file, 'utf8')).layout).toBe('records');
    });

    it('stays in charge when a migration died before switching the header, and the next write starts over', async () => {
      await mkdir(path.join(`${file}.d`, '%', 'session%3A'), { recursive: true });
      // what a migration killed half-way leaves: some records, and the old document still at the path
      await writeFile(
        path.join(`${file}.d`, '%', 'session%3A', 'stale'),
        JSON.stringify({ v: 1, key: 'session:stale', value: 'x' }),
      );
      await writeFile(file, legacy({ 'session:a': { value: 'one' } }), { mode: 0o600 });
      const store = make();
      expect(await store.keys('')).toEqual(['session:a']);
      await store.set('session:b', 'two');
      expect((await make().keys('')).sort()).toEqual(['session:a', 'session:b']);
    });
  });

  it("lets two instances on one path see each other's writes and deletes", async () => {
    const a = make({ encryptionKey: KEY });
    const b = make({ encryptionKey: KEY });
    await a.set('session:a', 'from a');
    expect(await b.get('session:a')).toBe('from a');
    await b.set('session:a', 'from b');
    expect(await a.get('session:a')).toBe('from b');
    await b.delete('session:a');
    expect(await a.get('session:a')).toBeUndefined();
  });

  it("keeps both instances' writes when they write at once", async () => {
    const a = make();
    const b = make();
    await Promise.all(
      Array.from({ length: 20 }, (_, i) => [a.set(`a:${i}`, 'x'), b.set(`b:${i}`, 'y')]).flat(),
    );
    const c = make();
    expect((await c.keys('a:')).length).toBe(20);
    expect((await c.keys('b:')).length).toBe(20);
  });

  it('takes over a lock file its creator left empty when it died', async () => {
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(`${file}.lock`, '');
    const past = new Date(Date.now() - 60_000);
    await utimes(`${file}.lock`, past, past);
    const started = performance.now();
    await make().set('session:a', 'x');
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  it('finishes writes queued before close and refuses calls after it with store_unavailable', async () => {
    const store = make();
    const pending = store.set('session:a', 'x');
    await store.close();
    await pending;
    expect(await make().get('session:a')).toBe('x');
    await expect(store.set('session:a', 'x')).rejects.toMatchObject({ code: 'store_unavailable' });
  });
});

describe('FileStore across processes', () => {
  let moduleUrl: string;
  let outDir: string;
  let dir: string;
  const children = new Set<ChildProcess>();

  beforeAll(async () => {
    ({ moduleUrl, outDir } = await buildFileStore());
  }, 60_000);

  afterAll(async () => {
    await rm(outDir, { recursive: true, force: true });
  });

  beforeEach(async () => {
    dir = await tempDir();
  });

  afterEach(async () => {
    for (const child of children) child.kill('SIGKILL');
    children.clear();
    await rm(dir, { recursive: true, force: true });
  });

  function run(script: string, args: string[]): ChildProcess {
    const child = spawn(process.execPath, [path.join(fixtures, script), moduleUrl, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.add(child);
    child.once('exit', () => children.delete(child));
    return child;
  }

  function exited(child: ChildProcess): Promise<{ code: number | null; stderr: string }> {
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    return new Promise((resolve) => child.once('exit', (code) => resolve({ code, stderr })));
  }

  for (const encryptionKey of [undefined, KEY]) {
    const label = encryptionKey ? 'encrypted' : 'plain';
    it(`keeps every process's increments and keys when 3 processes write at once (${label})`, async () => {
      const file = path.join(dir, 'tokens.json');
      const rounds = 40;
      const ids = ['p1', 'p2', 'p3'];
      const results = await Promise.all(
        ids.map((id) =>
          exited(
            run('counter-child.mjs', [file, id, String(rounds), ...(encryptionKey ? [encryptionKey] : [])]),
          ),
        ),
      );
      for (const result of results) expect(result).toEqual({ code: 0, stderr: '' });
      const store = new FileStore({ path: file, encryptionKey, reason: 'test' });
      expect(await store.get('counter')).toBe(String(ids.length * rounds));
      for (const id of ids) expect((await store.keys(`child:${id}:`)).length).toBe(rounds);
      await store.close();
    }, 60_000);
  }

  it('hands a lock whose holder process was killed to the next process at once, not after staleMs', async () => {
    const file = path.join(dir, 'tokens.json');
    const holder = run('holder-child.mjs', [file]);
    const done = exited(holder);
    await new Promise<void>((resolve) => holder.stdout?.once('data', () => resolve()));
    const store = new FileStore({ path: file, reason: 'test' });
    await expect(store.lock('refresh:ses_1', { waitMs: 100 })).rejects.toMatchObject({
      code: 'store_unavailable',
    });
    holder.kill('SIGKILL');
    await done;
    const started = performance.now();
    const release = await store.lock('refresh:ses_1', { waitMs: 5_000 });
    expect(performance.now() - started).toBeLessThan(1_000);
    await release();
    await store.close();
  });

  it('keeps the file parseable and the last acknowledged value after a writer is killed at random moments', async () => {
    const file = path.join(dir, 'tokens.json');
    const reader = new FileStore({ path: file, encryptionKey: KEY, reason: 'test' });
    for (let kill = 0; kill < 15; kill++) {
      const child = run('writer-child.mjs', [file, KEY]);
      const done = exited(child);
      let lastAck = 0;
      let buffered = '';
      const firstAck = new Promise<void>((resolve) => {
        child.stdout?.on('data', (chunk: Buffer) => {
          buffered += chunk.toString();
          for (const match of buffered.matchAll(/ack (\d+)\n/g)) lastAck = Number(match[1]);
          buffered = buffered.slice(buffered.lastIndexOf('\n') + 1);
          if (lastAck > 0) resolve();
        });
      });
      await firstAck;
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 150));
      child.kill('SIGKILL');
      await done;

      const text = await readFile(file, 'utf8');
      expect(() => JSON.parse(text)).not.toThrow();
      const last = Number(await reader.get('last'));
      expect(last).toBeGreaterThanOrEqual(lastAck);
      expect(last).toBeLessThanOrEqual(lastAck + 1);
    }
    await reader.close();
  }, 120_000);
});
