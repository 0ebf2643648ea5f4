/**
 * What the API answers, as data: status, headers and body bytes exactly as Toxiproxy 2.12 sends
 * them. Successes are `application/json` without a trailing newline; errors go through Go's
 * `http.Error`, so they are `text/plain; charset=utf-8` with `nosniff` and a trailing newline.
 */
import type { ApiError } from './api-error.ts';

export interface Reply {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

const plainHeaders = { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' };

export const replies = {
  json: (status: number, value: unknown): Reply => ({
    status,
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(value),
  }),
  error: (error: ApiError): Reply => ({
    status: error.status,
    headers: plainHeaders,
    body: `${JSON.stringify({ error: error.message, status: error.status })}\n`,
  }),
  /** Go's `http.Error(w, text, status)`. */
  plain: (status: number, text: string): Reply => ({ status, headers: plainHeaders, body: `${text}\n` }),
  empty: (status: number): Reply => ({ status, headers: {}, body: '' }),
  notFound: (): Reply => replies.plain(404, '404 page not found'),
};
