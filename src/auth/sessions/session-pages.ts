// Pages of the stored sessions: a bounded answer, read record by page, behind a cursor that carries no authority.

import { z } from 'zod';
import { OAuthToolError } from '../../errors.js';
import type { EngineContext } from '../engine-context.js';
import type { StoredSession } from '../repository/records.js';
import { SESSION_PAGE_LIMITS, type SessionView } from '../views.js';
import { listedViews } from './sessions.js';

/** Records read at once when a provider filter makes every record be read. */
const FILTER_BATCH = 64;

/** Which page of the stored sessions to list (the input of oauth_list_sessions). */
export interface SessionPageRequest {
  /** Only this provider's sessions (a canonical name); every provider's when absent. */
  provider?: string | undefined;
  limit?: number | undefined;
  /** `next_cursor` of the previous page, unchanged. */
  cursor?: string | undefined;
}

/** One page of session views, the total that match, and the cursor of the next page while more remain. */
export interface SessionPage {
  sessions: SessionView[];
  /** Sessions that match, over every page. */
  total: number;
  /** Present while sessions remain after this page. */
  next_cursor?: string;
}

/**
 * What a cursor holds: the last session id of the page before, and the provider filter it was made
 * with. It is only a position in the caller's own id order, read against the caller's own vault, so a
 * cursor copied from another user (or forged) shows nothing of theirs; no signature is needed.
 */
const cursorSchema = z.object({ after: z.string().min(1).max(256), provider: z.string().optional() });
type Cursor = z.infer<typeof cursorSchema>;

/**
 * One page of this principal's sessions (stale ones included and marked, as in listSessions).
 *
 * Order: session_id ascending. Ids are random, so this is neither age nor provider order, but it is
 * the order the store can give from its keys alone: "most recent first" would mean reading every
 * record's `updated_at` for each page, and a refresh would move a session between pages while a
 * caller pages through. Here a session keeps its place; one created while paging may land on a page
 * already passed (start again without a cursor to see it). Without a provider filter only the page's
 * records are read; with one, each record must be read to learn its provider (kept only when it is on
 * the page), since the provider is not part of the key.
 *
 * @example
 * let page = await listSessionPage(engine.ctx, { limit: 50 });
 * while (page.next_cursor) page = await listSessionPage(engine.ctx, { cursor: page.next_cursor });
 * @see README.md#where-tokens-are-kept
 */
export async function listSessionPage(ctx: EngineContext, request: SessionPageRequest): Promise<SessionPage> {
  const limit = request.limit ?? SESSION_PAGE_LIMITS.defaultLimit;
  if (!Number.isInteger(limit) || limit < 1 || limit > SESSION_PAGE_LIMITS.maxLimit) {
    throw new OAuthToolError(
      'invalid_input',
      `limit must be a whole number from 1 to ${SESSION_PAGE_LIMITS.maxLimit}; follow next_cursor for more.`,
    );
  }
  const after =
    request.cursor === undefined ? undefined : decodeCursor(request.cursor, request.provider).after;
  const ids = await ctx.vault.sessionIds();
  const page = request.provider
    ? await filteredPage(ctx, ids, after, limit, request.provider)
    : await unfilteredPage(ctx, ids, after === undefined ? 0 : firstAfter(ids, after), limit);
  return {
    sessions: await listedViews(ctx, page.sessions),
    total: page.total,
    ...(page.last !== undefined
      ? { next_cursor: encodeCursor({ after: page.last, provider: request.provider }) }
      : {}),
  };
}

interface RawPage {
  sessions: StoredSession[];
  total: number;
  /** The id to continue after, when sessions remain. */
  last: string | undefined;
}

async function unfilteredPage(
  ctx: EngineContext,
  ids: string[],
  start: number,
  limit: number,
): Promise<RawPage> {
  const sessions: StoredSession[] = [];
  let next = start;
  // A record gone since the ids were listed (or damaged) is skipped; the page is filled from the ids after it.
  while (sessions.length < limit && next < ids.length) {
    const batch = ids.slice(next, next + (limit - sessions.length));
    sessions.push(...(await ctx.vault.getSessions(batch)));
    next += batch.length;
  }
  return { sessions, total: ids.length, last: next < ids.length ? ids[next - 1] : undefined };
}

async function filteredPage(
  ctx: EngineContext,
  ids: string[],
  after: string | undefined,
  limit: number,
  provider: string,
): Promise<RawPage> {
  const sessions: StoredSession[] = [];
  let total = 0;
  let last: string | undefined;
  let more = false;
  for (let i = 0; i < ids.length; i += FILTER_BATCH) {
    for (const session of await ctx.vault.getSessions(ids.slice(i, i + FILTER_BATCH))) {
      if (session.provider !== provider) continue;
      total++;
      if (after !== undefined && session.session_id <= after) continue;
      if (sessions.length < limit) {
        sessions.push(session);
        last = session.session_id;
      } else more = true;
    }
  }
  return { sessions, total, last: more ? last : undefined };
}

/** Index of the first id after `after` in sorted `ids`; `after` itself may have been deleted since. */
function firstAfter(ids: string[], after: string): number {
  let low = 0;
  let high = ids.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if ((ids[mid] as string) <= after) low = mid + 1;
    else high = mid;
  }
  return low;
}

function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify(cursor)).toString('base64url');
}

function decodeCursor(text: string, provider: string | undefined): Cursor {
  const malformed = new OAuthToolError(
    'invalid_input',
    'This cursor was not returned by a listing of these sessions. Pass the next_cursor of the previous result unchanged, or omit cursor to start from the first page.',
  );
  if (text.length > SESSION_PAGE_LIMITS.maxCursorLength || !/^[A-Za-z0-9_-]+$/.test(text)) throw malformed;
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    throw malformed;
  }
  const parsed = cursorSchema.strict().safeParse(json);
  if (!parsed.success) throw malformed;
  if (parsed.data.provider !== provider) {
    const made = parsed.data.provider ? `provider "${parsed.data.provider}"` : 'every provider';
    throw new OAuthToolError(
      'invalid_input',
      `This cursor continues a listing of ${made}: pass the same provider with it${parsed.data.provider ? '' : ' (none)'}, or omit cursor to start from the first page.`,
    );
  }
  return parsed.data;
}
