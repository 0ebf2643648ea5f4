/**
 * The one hardened `node:http` server behind every HTTP surface of ours: the admin port, the
 * discovery API, the fault proxy's API and the health aggregator. Each surface keeps its own
 * routes and reply shapes; the limits below live here, once, so no surface can forget one.
 *
 *   accept ──► cap (evict the oldest connection with no request in progress, else refuse)
 *          ──► first byte within idleTimeoutMs ──► headers within headersTimeoutMs (408)
 *          ──► whole request within requestTimeoutMs (408) ──► handler
 *          ──► kept alive for keepAliveTimeoutMs, then closed
 *   a malformed request line or header ──► 400 (431 when too large), closed, logged once per cause
 *
 * Node checks its request timeouts every `connectionsCheckingInterval` (30 s by default, so a
 * 5 s headers timeout used to fire after up to 35 s); `timeoutCheckIntervalMs` makes every
 * timeout fire within a quarter of a second of its value. Bodies are read through
 * `readBodyBounded`, which stops at the limit; a refused request is answered with
 * `Connection: close` and its socket closed without reading the rest (`refuseAndClose`).
 */
import type { Duplex } from 'node:stream';
import http from 'node:http';
import { fdReserve, softFdLimit } from './fd-limit.ts';
import type { Logger } from './logger.ts';

/** Node checks headers and request timeouts this often: a timeout fires within 250 ms of its value. */
export const timeoutCheckIntervalMs = 250;

export interface HttpSurfaceLimits {
  /**
   * Open connections at most. At the cap, the oldest connection with no request in progress is
   * closed to make room (an idle or slow-header client cannot starve a working one); when every
   * connection is busy, the new one is closed at once. Clamped below the descriptor limit by
   * `connectionsMaxWithinFdLimit`.
   */
  readonly connectionsMax: number;
  /** A connection that sends no byte for this long before its first request is closed. */
  readonly idleTimeoutMs: number;
  /** The request line and headers must arrive within this long (408, then closed). */
  readonly headersTimeoutMs: number;
  /** The whole request, body included, must arrive within this long (408, then closed). */
  readonly requestTimeoutMs: number;
  /** A kept-alive connection with no new request for this long is closed. */
  readonly keepAliveTimeoutMs: number;
  /** Request header bytes at most (431 beyond): every request of ours has a handful of short headers. */
  readonly headerBytesMax: number;
  /** Request body bytes at most; a larger body is refused (413) as soon as it is known to be larger. */
  readonly bodyBytesMax: number;
}

/**
 * Defaults every surface starts from. Our requests are tiny and local: a client that needs more
 * than 5 s to send its headers is broken or hostile, and 256 connections is far above what a
 * Prometheus, a health checker and a fleet of servers keep open.
 */
export const httpSurfaceLimitsDefault: HttpSurfaceLimits = Object.freeze({
  connectionsMax: 256,
  idleTimeoutMs: 5_000,
  headersTimeoutMs: 5_000,
  requestTimeoutMs: 10_000,
  keepAliveTimeoutMs: 5_000,
  headerBytesMax: 16 * 1024,
  bodyBytesMax: 64 * 1024,
});

/**
 * The cap actually used: at most half the descriptors above `fdReserve`, so that a process with
 * two surfaces (an API and its admin port) still keeps the reserve for Redis, logs and /proc.
 * Under `ulimit -n 128` that is 32 connections per surface.
 */
export function connectionsMaxWithinFdLimit(requested: number, fdLimit = softFdLimit()): number {
  if (fdLimit === undefined) return requested;
  return Math.max(1, Math.min(requested, Math.floor((fdLimit - fdReserve) / 2)));
}

/**
 * Logs at most one line per cause per `intervalMs`, with how many were left out since: a flood
 * of bad requests costs one line every ten seconds, not one per request.
 */
export class RateLimitedLog {
  readonly #logger: Logger | undefined;
  readonly #intervalMs: number;
  readonly #causes = new Map<string, { lastAtMs: number; suppressed: number }>();

  constructor(logger: Logger | undefined, intervalMs = 10_000) {
    this.#logger = logger;
    this.#intervalMs = intervalMs;
  }

  warn(cause: string, fields: Record<string, unknown>, message: string): void {
    if (this.#logger === undefined) return;
    const nowMs = performance.now();
    const seen = this.#causes.get(cause);
    if (seen !== undefined && nowMs - seen.lastAtMs < this.#intervalMs) {
      seen.suppressed += 1;
      return;
    }
    // One entry per cause; causes are a small fixed set of codes, so this map stays small.
    this.#causes.set(cause, { lastAtMs: nowMs, suppressed: 0 });
    this.#logger.warn({ ...fields, cause, suppressedSinceLast: seen?.suppressed ?? 0 }, message);
  }
}

export type SurfaceHandler = (
  request: http.IncomingMessage,
  response: http.ServerResponse,
) => void | Promise<void>;

export interface HttpSurfaceOptions {
  /** For log lines: `admin`, `discovery`, `faultproxy`, `health`. */
  readonly name: string;
  readonly limits: HttpSurfaceLimits;
  readonly logger: Logger | undefined;
  /** What a handler that threw answers; the error is logged (rate-limited) first. */
  readonly internalError: (response: http.ServerResponse) => void;
}

/** Sockets with a request in progress, which the cap never evicts. */
const busy = new WeakSet<Duplex>();

export function createHttpSurface(options: HttpSurfaceOptions, handler: SurfaceHandler): http.Server {
  const { limits } = options;
  const log = new RateLimitedLog(options.logger);
  const connectionsMax = connectionsMaxWithinFdLimit(limits.connectionsMax);
  const server = http.createServer(
    {
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      keepAliveTimeout: limits.keepAliveTimeoutMs,
      connectionsCheckingInterval: timeoutCheckIntervalMs,
      maxHeaderSize: limits.headerBytesMax,
    },
    (request, response) => {
      busy.add(request.socket);
      // The request is in; its answer may take a while (a fan-out) without any socket traffic.
      request.socket.setTimeout(0);
      response.once('close', () => busy.delete(request.socket));
      let answer: void | Promise<void>;
      try {
        answer = handler(request, response);
      } catch (error) {
        answer = Promise.reject(error);
      }
      void Promise.resolve(answer).catch((error: unknown) => {
        log.warn('handler-threw', { surface: options.name, err: String(error) }, 'request failed');
        if (!response.headersSent) options.internalError(response);
        else response.destroy();
      });
    },
  );
  const open = new Set<Duplex>();
  server.on('connection', (socket: Duplex & { setTimeout(ms: number): void }) => {
    if (open.size >= connectionsMax && !evictOldestIdle(open)) {
      log.warn(
        'connections-full',
        { surface: options.name, connectionsMax },
        'connection refused: cap reached',
      );
      socket.destroy();
      return;
    }
    open.add(socket);
    socket.once('close', () => open.delete(socket));
    // Node applies its headers timeout only once a first byte arrived; a silent one is ours.
    socket.setTimeout(limits.idleTimeoutMs);
  });
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    const status = clientErrorStatus(error.code);
    if (status !== undefined)
      log.warn(`client-error ${error.code}`, { surface: options.name, code: error.code }, 'bad request');
    if (status !== undefined && socket.writable)
      socket.end(`HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\nConnection: close\r\n\r\n`);
    socket.destroy();
  });
  server.on('error', (error) =>
    log.warn('server-error', { surface: options.name, err: error.message }, 'server error'),
  );
  return server;
}

function evictOldestIdle(open: Set<Duplex>): boolean {
  for (const socket of open) {
    if (busy.has(socket)) continue;
    socket.destroy();
    open.delete(socket);
    return true;
  }
  return false;
}

/** Node's own answers to a request it could not parse, which a `clientError` listener replaces. */
function clientErrorStatus(code: string | undefined): number | undefined {
  if (code === 'ECONNRESET' || code === 'EPIPE') return undefined;
  if (code === 'HPE_HEADER_OVERFLOW') return 431;
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return 408;
  return 400;
}

export type BodyOutcome =
  | { kind: 'body'; bytes: Buffer }
  | { kind: 'too-large'; bytesMax: number }
  | { kind: 'aborted' };

/**
 * Reads a request body up to `bytesMax`. A `Content-Length` above it is refused before a byte is
 * read; a chunked body is refused as soon as it passes the limit. Never reads past the limit.
 */
export function readBodyBounded(request: http.IncomingMessage, bytesMax: number): Promise<BodyOutcome> {
  const declared = Number(request.headers['content-length'] ?? 0);
  if (declared > bytesMax) return Promise.resolve({ kind: 'too-large', bytesMax });
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let bytes = 0;
    const onData = (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes <= bytesMax) return void chunks.push(chunk);
      request.off('data', onData);
      request.pause();
      resolve({ kind: 'too-large', bytesMax });
    };
    request.on('data', onData);
    request.once('end', () => resolve({ kind: 'body', bytes: Buffer.concat(chunks) }));
    request.once('error', () => resolve({ kind: 'aborted' }));
    request.once('close', () => resolve({ kind: 'aborted' }));
  });
}

/**
 * How long a refused connection stays half-open after its answer. Closing a socket with unread
 * bytes in its buffer sends a reset, which can destroy the answer before the client reads it;
 * so we send the answer and our FIN, stop reading, and close for good after this grace.
 */
export const refusedLingerMs = 1_000;

/**
 * Answers and closes the connection without reading the rest of the request: an unauthenticated
 * or oversized body costs the server nothing past what it had already read (Node would drain it).
 * The answer is written on the socket directly, because `ServerResponse` would resume reading.
 */
export function refuseAndClose(
  request: http.IncomingMessage,
  _response: http.ServerResponse,
  status: number,
  headers: Record<string, string | number>,
  body: string,
): void {
  const socket = request.socket;
  request.pause();
  socket.pause();
  const fields = { ...headers, 'content-length': Buffer.byteLength(body), connection: 'close' };
  const head = Object.entries(fields).map(([name, value]) => `${name}: ${value}\r\n`);
  socket.end(`HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\n${head.join('')}\r\n${body}`);
  const timer = setTimeout(() => socket.destroy(), refusedLingerMs);
  timer.unref();
  socket.once('close', () => clearTimeout(timer));
}

/**
 * The request target's path as percent-decoded segments (`/v1/members/a%20b` → `['v1',
 * 'members', 'a b']`), or undefined when it is not an origin-form path or does not decode to
 * well-formed text (the caller answers 400).
 */
export function pathSegments(target: string | undefined): string[] | undefined {
  if (target === undefined || !target.startsWith('/')) return undefined;
  const path = target.split('?', 1)[0]!;
  try {
    const segments = path.split('/').slice(1).map(decodeURIComponent);
    return segments.every(isCleanText) ? segments : undefined;
  } catch {
    return undefined;
  }
}

/**
 * True when `text` is well-formed (no lone surrogate) and holds no control character (NUL,
 * newline, DEL...): what every id or name of ours must be, so that it can be logged, listed and
 * deleted again by the same path.
 */
export function isCleanText(text: string): boolean {
  return !/[\u0000-\u001f\u007f]|\p{Cs}/u.test(text);
}

/** 405 with the methods the path does take, as RFC 9110 asks. */
export function methodNotAllowed(response: http.ServerResponse, allowed: readonly string[], body = ''): void {
  response.writeHead(405, { allow: allowed.join(', '), 'content-length': Buffer.byteLength(body) });
  response.end(body);
}
