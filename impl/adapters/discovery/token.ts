/**
 * The shared control-plane token: every registration, renewal, deregistration and count
 * request carries `Authorization: Bearer <token>`. Compared in constant time (over SHA-256
 * digests, so lengths leak nothing either). The token itself never reaches a log line.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type http from 'node:http';

export function bearerMatches(request: http.IncomingMessage, token: string | undefined): boolean {
  if (token === undefined || token === '') return false;
  const header = request.headers.authorization;
  if (typeof header !== 'string' || !header.startsWith('Bearer ')) return false;
  const offered = createHash('sha256').update(header.slice('Bearer '.length)).digest();
  const expected = createHash('sha256').update(token).digest();
  return timingSafeEqual(offered, expected);
}
