// Benchmark 5, memory: resident set size of oauth-mcp after start-up and idle after tools/list, next to a
// bare SDK server, and what each stored session costs: a server that listed 1,000 sessions from its file store (page by page
// through oauth_list_sessions) against one that made as many calls, each listing a full page, on a
// store of 50. Resident memory and the heap kept after a full GC, both per extra session.

import { join } from 'node:path';
import { CLI, connect, HEAP_PROBE, heapUsedMiB, ROOT, rssMiB, tempConfig } from './lib/processes.mjs';
import { benchSession, filledFileStore } from './lib/sessions.mjs';
import { row } from './lib/stats.mjs';

export async function memory({ sessions }) {
  const full = await storeWith(sessions);
  const control = await storeWith(CONTROL_SESSIONS);
  const bare = await connect([join(ROOT, 'bench/servers/bare-stdio.mjs')]);
  const ours = await serve(full);
  const same = await serve(control);
  try {
    await settle();
    const bareRss = rssMiB(bare.pid);
    const startRss = rssMiB(ours.pid);
    // What a host does next: list the tools (every server alike, so the later comparisons stay fair).
    await Promise.all([bare, ours, same].map((server) => server.client.listTools()));
    await settle();
    const bareListedRss = rssMiB(bare.pid);
    const listedRss = rssMiB(ours.pid);
    const { count, pages } = await listAll(ours);
    if (count !== sessions) throw new Error(`expected ${sessions} sessions, listed ${count}`);
    // The control server makes as many calls on a small store: what the calls cost is subtracted, what
    // the sessions cost remains (V8 grows its young generation with any work, whatever the store holds).
    for (let i = 0; i < pages; i++) await listAll(same);
    // Garbage is collected in both before RSS is read: what a session keeps, not what a call left behind.
    const extra = sessions - CONTROL_SESSIONS;
    const keptKiB = (((await heapUsedMiB(ours)) - (await heapUsedMiB(same))) * 1024) / extra;
    await settle();
    const loadedRss = rssMiB(ours.pid);
    const perSessionKiB = ((loadedRss - rssMiB(same.pid)) * 1024) / extra;
    return {
      rows: [
        row({ bench: 'memory', metric: 'bare SDK server RSS after start', value: bareRss, unit: 'MiB' }),
        row({
          bench: 'memory',
          metric: 'oauth-mcp RSS after start',
          value: startRss,
          unit: 'MiB',
          ratio: startRss / bareRss,
        }),
        row({
          bench: 'memory',
          metric: 'oauth-mcp RSS after tools/list, idle',
          value: listedRss,
          unit: 'MiB',
          ratio: listedRss / bareListedRss,
          target: ['<=', 1.1],
          detail: `bare SDK server after tools/list: ${bareListedRss.toFixed(1)} MiB`,
        }),
        row({
          bench: 'memory',
          metric: `oauth-mcp RSS with ${sessions} sessions listed`,
          value: loadedRss,
          unit: 'MiB',
          // Issue 22's bound is absolute: the RSS after the run, in MiB.
          ratio: loadedRss,
          target: ['<=', 100],
          detail: `${pages} pages of oauth_list_sessions; ${(loadedRss / startRss).toFixed(2)}x its RSS after start`,
        }),
        row({
          bench: 'memory',
          metric: 'RSS per stored session, listed through oauth_list_sessions (file store)',
          value: perSessionKiB,
          unit: 'KiB',
          ratio: perSessionKiB,
          target: ['<=', 4],
          detail: `${sessions} vs ${CONTROL_SESSIONS} sessions, the same calls`,
        }),
        row({
          bench: 'memory',
          metric: 'heap kept per stored session after a full GC (file store)',
          value: keptKiB,
          unit: 'KiB',
          detail: `${sessions} vs ${CONTROL_SESSIONS} sessions; the secret registry's tokens (at most 4,096) are most of it`,
        }),
      ],
    };
  } finally {
    await Promise.all([ours.close(), same.close(), bare.close()]);
    full.remove();
    control.remove();
  }
}

/** Sessions in the control store: one full page, so its calls do the same work as the measured server's. */
const CONTROL_SESSIONS = 50;

async function storeWith(count) {
  const config = tempConfig((dir) => ({
    providers: { work: { issuer: 'https://auth.example.com', clientId: 'bench' } },
    store: { type: 'file', path: join(dir, 'tokens.json') },
  }));
  await fillStore(join(config.dir, 'tokens.json'), count);
  return config;
}

/** oauth-mcp on a config, with the heap probe preloaded. */
const serve = (config) =>
  connect(['--expose-gc', '--import', HEAP_PROBE, CLI, '--config', config.path], {
    XDG_DATA_HOME: config.dir,
  });

/** Every session, following next_cursor from page to page (the default page size, as a model would). */
async function listAll(server) {
  const seen = new Set();
  let cursor;
  let pages = 0;
  do {
    const { structuredContent: page } = await server.call('oauth_list_sessions', cursor ? { cursor } : {});
    if (!page?.sessions) throw new Error('oauth_list_sessions failed');
    for (const session of page.sessions) seen.add(session.session_id);
    if (++pages > page.total) throw new Error('next_cursor does not advance');
    cursor = page.next_cursor;
  } while (cursor);
  return { count: seen.size, pages };
}

/** Writes `count` realistic user sessions (opaque tokens, ID token claims) to the file store. */
async function fillStore(path, count) {
  const now = Date.now();
  const entries = new Map();
  for (let i = 0; i < count; i++) {
    const session = benchSession(i, now);
    entries.set(`session:${session.session_id}`, { value: JSON.stringify(session) });
  }
  await (await filledFileStore(path, entries)).close();
}

/** Lets the child finish start-up work and collect garbage before RSS is read. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 300));
