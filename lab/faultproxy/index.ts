/**
 * `startFaultProxy`: a Toxiproxy-compatible server in this process, for the lab, scenarios and
 * tests; `headcount faultproxy` runs the same thing from the command line. Any Toxiproxy client
 * (toxiproxy-node-client, toxiproxy-go, the CLI) can drive it at `url`.
 */
import { randomInt } from 'node:crypto';
import { pino, type Logger } from 'pino';
import type { HttpSurfaceLimits } from '../../impl/adapters/http-surface.ts';
import { closeHttp, listenHttp } from '../../impl/adapters/listen-http.ts';
import { FaultProxyApi, proxiesMaxDefault, toxicsPerProxyMaxDefault } from './api.ts';
import { createApiServer } from './http-server.ts';
import { FaultProxyMetrics } from './metrics.ts';
import { seedMax } from './random-streams.ts';

export interface FaultProxyOptions {
  /** Address of the HTTP API. @default '127.0.0.1' */
  readonly host?: string;
  /** Port of the HTTP API; 0 takes a free one. @default 8474 (Toxiproxy's) */
  readonly port?: number;
  /** Root seed, 0..2^32-1, for jitter, toxicity and slicer draws. @default a random one (logged) */
  readonly seed?: number;
  /** Where logs go. @default silent */
  readonly logger?: Logger;
  /** The API's HTTP limits. @default `apiLimits` (http-server.ts) */
  readonly httpLimits?: HttpSurfaceLimits;
  /** Proxies at most. @default 256 (`proxiesMaxDefault`) */
  readonly proxiesMax?: number;
  /** Toxics per proxy at most. @default 32 (`toxicsPerProxyMaxDefault`) */
  readonly toxicsPerProxyMax?: number;
}

export interface FaultProxy {
  /** `http://host:port`, ready for `new Toxiproxy(url)`. */
  readonly url: string;
  readonly port: number;
  readonly seed: number;
  /** Stops every proxy, closes their connections and the API. */
  close(): Promise<void>;
}

export async function startFaultProxy(options: FaultProxyOptions = {}): Promise<FaultProxy> {
  const host = options.host ?? '127.0.0.1';
  const seed = options.seed ?? randomInt(0, seedMax);
  const logger = options.logger ?? pino({ level: 'silent' });
  const metrics = new FaultProxyMetrics();
  const api = new FaultProxyApi(
    seed,
    metrics,
    {
      proxiesMax: options.proxiesMax ?? proxiesMaxDefault,
      toxicsPerProxyMax: options.toxicsPerProxyMax ?? toxicsPerProxyMaxDefault,
    },
    (fields, message) => logger.warn(fields, message),
  );
  const server = createApiServer(api, metrics, logger, options.httpLimits);
  const port = await listenHttp(server, host, options.port ?? 8474);
  const urlHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${urlHost}:${port}`,
    port,
    seed,
    close: async () => {
      api.closeAll();
      await closeHttp(server);
    },
  };
}
