/**
 * The one HTTP client of mode C's control plane: a JSON request with a bearer token and a
 * timeout, whose outcome is a value, never an exception. It tells apart "nothing was sent"
 * (refused: definitely did not happen) from "sent, then no or a broken answer" (may have
 * happened), which is what the typed errors in `impl/core/mode-c/effects.ts` need.
 */
import http from 'node:http';

/** Control-plane bodies are tiny; a larger answer is malformed and is not read further. */
export const responseBytesMax = 4 * 1024 * 1024;

export type HttpOutcome =
  | { kind: 'response'; status: number; body: unknown }
  | { kind: 'timeout' }
  | { kind: 'unreachable'; message: string }
  | { kind: 'broken'; message: string };

export interface JsonRequest {
  url: string;
  method: 'GET' | 'POST' | 'DELETE';
  token: string | undefined;
  body?: unknown;
  timeoutMs: number;
  agent: http.Agent;
}

/** Errors raised before a byte reached the other side. */
const notSentCodes = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);

/**
 * Every control-plane call is idempotent (an upsert, a delete, a read), so a request that died
 * on a kept-alive socket the other side had just closed (Node's documented `reusedSocket` race)
 * is sent once more on a fresh socket instead of failing a WHO for nothing.
 */
export async function requestJson(request: JsonRequest): Promise<HttpOutcome> {
  const first = await attempt(request);
  if (first.kind !== 'stale-socket') return first;
  const second = await attempt(request);
  return second.kind === 'stale-socket' ? { kind: 'broken', message: 'ECONNRESET' } : second;
}

function attempt(request: JsonRequest): Promise<HttpOutcome | { kind: 'stale-socket' }> {
  return new Promise((resolve) => {
    let settled = false;
    const finish = (outcome: HttpOutcome | { kind: 'stale-socket' }) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(outcome);
    };
    const payload = request.body === undefined ? undefined : JSON.stringify(request.body);
    const headers: Record<string, string | number> = { accept: 'application/json' };
    if (request.token !== undefined) headers.authorization = `Bearer ${request.token}`;
    if (payload !== undefined) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = Buffer.byteLength(payload);
    }
    const outgoing = http.request(
      request.url,
      { method: request.method, headers, agent: request.agent },
      (response) => {
        const chunks: Buffer[] = [];
        let bytes = 0;
        response.on('data', (chunk: Buffer) => {
          bytes += chunk.length;
          if (bytes > responseBytesMax) {
            response.destroy();
            finish({ kind: 'broken', message: `answer over ${responseBytesMax} bytes` });
          } else chunks.push(chunk);
        });
        response.on('end', () =>
          finish(parsed(response.statusCode ?? 0, Buffer.concat(chunks).toString('utf8'))),
        );
        response.on('error', (error) => finish({ kind: 'broken', message: error.message }));
      },
    );
    const timer = setTimeout(() => {
      finish({ kind: 'timeout' });
      outgoing.destroy();
    }, request.timeoutMs);
    outgoing.on('error', (error: NodeJS.ErrnoException) => {
      const code = error.code ?? '';
      if (outgoing.reusedSocket && code === 'ECONNRESET') return finish({ kind: 'stale-socket' });
      finish(
        notSentCodes.has(code)
          ? { kind: 'unreachable', message: code }
          : { kind: 'broken', message: code || error.message },
      );
    });
    outgoing.end(payload);
  });
}

function parsed(status: number, text: string): HttpOutcome {
  if (text === '') return { kind: 'response', status, body: undefined };
  try {
    return { kind: 'response', status, body: JSON.parse(text) as unknown };
  } catch {
    return { kind: 'broken', message: `status ${status} with a body that is not JSON` };
  }
}
