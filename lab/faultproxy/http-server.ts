/**
 * The HTTP side of the API on node:http: reads the body (bounded), refuses browsers as Toxiproxy
 * does (a page could otherwise drive the proxy through the user's browser), stamps every answer
 * with `X-Toxiproxy-Request-Id`, serves `/metrics`, and hands everything else to `FaultProxyApi`.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { FaultProxyApi } from './api.ts';
import type { FaultProxyMetrics } from './metrics.ts';
import { type Reply, replies } from './reply.ts';
import { nextRequestId } from './request-id.ts';

/** Proxy and toxic bodies are a few hundred bytes; 1 MiB leaves room for a large /populate. */
export const requestBodyBytesMax = 1024 * 1024;

function readBody(request: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let bytes = 0;
    request.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes <= requestBodyBytesMax) chunks.push(chunk);
    });
    request.on('end', () =>
      resolve(bytes > requestBodyBytesMax ? undefined : Buffer.concat(chunks).toString('utf8')),
    );
    request.on('error', () => resolve(undefined));
  });
}

function segmentsOf(url: string): string[] | undefined {
  const path = url.split('?')[0] ?? '';
  try {
    return path.split('/').slice(1).map(decodeURIComponent);
  } catch {
    return undefined;
  }
}

async function answer(
  request: IncomingMessage,
  api: FaultProxyApi,
  metrics: FaultProxyMetrics,
): Promise<Reply> {
  if ((request.headers['user-agent'] ?? '').startsWith('Mozilla/')) {
    request.resume();
    return replies.plain(403, 'User agent not allowed');
  }
  const body = await readBody(request);
  if (body === undefined) return replies.plain(413, 'http: request body too large');
  const segments = segmentsOf(request.url ?? '/');
  if (segments === undefined) return replies.notFound();
  if (segments.length === 1 && segments[0] === 'metrics') {
    return {
      status: 200,
      headers: { 'Content-Type': metrics.registry.contentType },
      body: await metrics.registry.metrics(),
    };
  }
  return api.handle({ method: request.method ?? 'GET', segments, body });
}

export function createApiServer(api: FaultProxyApi, metrics: FaultProxyMetrics, logger: Logger): Server {
  return createServer((request: IncomingMessage, response: ServerResponse) => {
    const requestId = nextRequestId(Date.now());
    answer(request, api, metrics)
      .catch((error: unknown) => {
        logger.error({ err: error, requestId }, 'request failed');
        return replies.plain(500, 'internal error');
      })
      .then((reply) => {
        logger.debug(
          { method: request.method, url: request.url, status: reply.status, requestId },
          'request',
        );
        response.writeHead(reply.status, {
          ...reply.headers,
          'Content-Length': Buffer.byteLength(reply.body),
          'X-Toxiproxy-Request-Id': requestId,
        });
        response.end(reply.body);
      });
  });
}
