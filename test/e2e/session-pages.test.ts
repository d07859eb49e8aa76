// oauth_list_sessions a page at a time, through the built binary and both SDK clients: every stored
// session exactly once, totals, the end of the list, and cursors it did not hand out refused.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Vault } from '../../src/auth/repository/vault.js';
import { sessionFromTokens } from '../../src/auth/sessions/sessions.js';
import { FileStore } from '../../src/store/file-store.js';
import { type Era, type ServerProcess, startServerProcess } from '../helpers/mcp-server-process.js';
import { toolError } from '../helpers/tool-result.js';

const PROVIDERS = {
  work: { issuer: 'https://work.example.test', clientId: 'work-client' },
  other: { issuer: 'https://other.example.test', clientId: 'other-client' },
};
/** 120 sessions: 80 of provider "work", 40 of "other". */
const COUNTS = { work: 80, other: 40 } as const;

interface Page {
  sessions: { session_id: string; provider: string }[];
  total: number;
  next_cursor?: string;
}

let dir: string;
const seeded: Record<keyof typeof COUNTS, string[]> = { work: [], other: [] };

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'oauth-mcp-pages-'));
  const store = new FileStore({ path: join(dir, 'tokens.json'), reason: 'test' });
  const vault = new Vault(store);
  for (const [provider, count] of Object.entries(COUNTS) as [keyof typeof COUNTS, number][]) {
    for (let i = 0; i < count; i++) {
      const session = sessionFromTokens({
        provider,
        issuer: PROVIDERS[provider].issuer,
        clientId: PROVIDERS[provider].clientId,
        grant: 'client_credentials',
        requestedScope: `scope-${i}`,
        tokens: { access_token: `token-${provider}-${i}-abcdefgh`, token_type: 'bearer', expires_in: 3600 },
      });
      await vault.putSession(session);
      seeded[provider].push(session.session_id);
    }
  }
  await store.close();
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.each<Era>(['v2', 'v1'])('oauth_list_sessions in pages, %s client', (era) => {
  let server: ServerProcess;

  beforeAll(async () => {
    server = await startServerProcess({
      era,
      dir,
      config: { providers: PROVIDERS, store: { type: 'file', path: join(dir, 'tokens.json') } },
    });
  });
  afterAll(() => server?.close());

  async function page(args: Record<string, unknown>): Promise<Page> {
    const result = await server.call('oauth_list_sessions', args);
    expect(result.isError, JSON.stringify(result.content)).toBeFalsy();
    return result.structuredContent as Page;
  }

  /** Follows next_cursor from the first page to the last (bounded), returning every page. */
  async function allPages(args: Record<string, unknown>): Promise<Page[]> {
    const pages = [await page(args)];
    for (let cursor = pages[0]?.next_cursor; cursor !== undefined; cursor = pages.at(-1)?.next_cursor) {
      if (pages.length > 20) throw new Error('next_cursor never ends');
      pages.push(await page({ ...args, cursor }));
    }
    return pages;
  }

  it('returns every session exactly once, in session_id order, with the total, and no next_cursor at the end', async () => {
    const pages = await allPages({ limit: 50 });
    expect(pages.map((p) => p.sessions.length)).toEqual([50, 50, 20]);
    expect(pages.every((p) => p.total === 120)).toBe(true);
    expect(pages.at(-1)).not.toHaveProperty('next_cursor');
    const ids = pages.flatMap((p) => p.sessions.map((s) => s.session_id));
    expect(ids).toEqual([...seeded.work, ...seeded.other].sort());
  });

  it('gives 50 sessions by default and follows a provider filter across pages', async () => {
    const first = await page({});
    expect(first.sessions).toHaveLength(50);
    expect(first.next_cursor).toEqual(expect.any(String));

    const pages = await allPages({ provider: 'other', limit: 15 });
    expect(pages.map((p) => p.sessions.length)).toEqual([15, 15, 10]);
    expect(pages.every((p) => p.total === 40)).toBe(true);
    const sessions = pages.flatMap((p) => p.sessions);
    expect(sessions.every((s) => s.provider === 'other')).toBe(true);
    expect(sessions.map((s) => s.session_id)).toEqual([...seeded.other].sort());
  });

  it('continues after the last session of a page even when that session was deleted since', async () => {
    const first = await page({ limit: 10 });
    const last = first.sessions.at(-1) as Page['sessions'][number];
    const store = new FileStore({ path: join(dir, 'tokens.json'), reason: 'test' });
    const vault = new Vault(store);
    const removed = await vault.getSession(last.session_id);
    try {
      await vault.deleteSession(last.session_id);
      const second = await page({ limit: 10, cursor: first.next_cursor });
      expect(second.total).toBe(119);
      expect(second.sessions.map((s) => s.session_id)).toEqual(
        [...seeded.work, ...seeded.other].sort().slice(10, 20),
      );
    } finally {
      if (removed) await vault.putSession(removed);
      await store.close();
    }
  });

  it('refuses a cursor it did not hand out, saying what to send instead', async () => {
    const forged = Buffer.from(JSON.stringify({ after: 'ses_x', admin: true })).toString('base64url');
    for (const cursor of ['not a cursor', 'bm90IGpzb24', forged]) {
      const error = toolError(await server.call('oauth_list_sessions', { cursor }));
      expect(error.code, cursor).toBe('invalid_input');
      expect(error.message).toMatch(/next_cursor of the previous result unchanged, or omit cursor/);
    }
  });

  it('refuses a cursor with another provider filter than the one it was made with', async () => {
    const { next_cursor: cursor } = await page({ provider: 'work', limit: 10 });
    const error = toolError(await server.call('oauth_list_sessions', { cursor, provider: 'other' }));
    expect(error.code).toBe('invalid_input');
    expect(error.message).toContain('continues a listing of provider "work"');
  });

  it('refuses a page larger than 200', async () => {
    const result = await server.call('oauth_list_sessions', { limit: 201 });
    expect(result.isError).toBe(true);
    expect(JSON.stringify(result.content)).toMatch(/limit/);
  });
});
