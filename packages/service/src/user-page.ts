/**
 * `GET /admin/users?search=&offset=&limit=`: one page of the user table, so the portal and the
 * CLI never pull every user at once. `search` matches the id (case-insensitive substring); the
 * page is sorted by id; `limit` is 1-500 (default 50).
 */
import type { UserRecord } from '@webcomm/core/internal';
import { HttpProblem } from './http-problem.js';

/** Largest page. */
export const MAX_USER_PAGE = 500;
/** Page size when `limit` is absent. */
export const DEFAULT_USER_PAGE = 50;

/** One page of users. */
export interface UserPage {
  readonly users: UserRecord[];
  /** Users matching `search`, over every page. */
  readonly total: number;
  readonly offset: number;
  readonly limit: number;
  readonly search: string;
}

function integer(params: URLSearchParams, name: string, fallback: number, min: number, max: number): number {
  const raw = params.get(name);
  if (raw === null || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new HttpProblem(
      400,
      'BAD_REQUEST',
      `Query parameter "${name}" must be a whole number ${min}-${max} (got "${raw.slice(0, 32)}").`,
    );
  return n;
}

/** The page `params` asks for. */
export function userPage(all: readonly UserRecord[], params: URLSearchParams): UserPage {
  const search = (params.get('search') ?? '').trim();
  if (search.length > 128)
    throw new HttpProblem(400, 'BAD_REQUEST', 'Query parameter "search" must be at most 128 characters.');
  const offset = integer(params, 'offset', 0, 0, Number.MAX_SAFE_INTEGER);
  const limit = integer(params, 'limit', DEFAULT_USER_PAGE, 1, MAX_USER_PAGE);
  const needle = search.toLowerCase();
  const matching = (needle === '' ? [...all] : all.filter((user) => user.id.toLowerCase().includes(needle))).sort(
    (a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
  );
  return { users: matching.slice(offset, offset + limit), total: matching.length, offset, limit, search };
}
