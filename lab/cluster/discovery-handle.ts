/**
 * One mode C discovery instance of a lab cluster, run in this process (`startDiscovery`), on a
 * port it keeps across restarts so the servers' proxies and URLs stay valid. A crash loses its
 * membership table (it is memory only), which is exactly what a real crash does; the servers'
 * next renewals repopulate it.
 */
import { createLogger, type LogLevel } from '../../impl/adapters/logger.ts';
import { parseDiscoveryOptions } from '../../impl/adapters/discovery/discovery-options.ts';
import { type RunningDiscovery, startDiscovery } from '../../impl/adapters/discovery/discovery-server.ts';

export interface DiscoveryHandle {
  readonly index: number;
  readonly port: number;
  readonly up: boolean;
  start(): Promise<void>;
  /** Stops answering at once; its table is gone. */
  crash(): Promise<void>;
}

export function discoveryHandle(
  index: number,
  settings: { leaseMs: number; fanoutTimeoutMs: number; token: string; logLevel: string },
): DiscoveryHandle {
  let running: RunningDiscovery | undefined;
  let port = 0;
  const logger = createLogger(settings.logLevel as LogLevel, `discovery-${index}`);
  return {
    index,
    get port() {
      return port;
    },
    get up() {
      return running !== undefined;
    },
    start: async () => {
      if (running !== undefined) return;
      const parsed = parseDiscoveryOptions({
        port,
        leaseMs: settings.leaseMs,
        fanoutTimeoutMs: settings.fanoutTimeoutMs,
        token: settings.token,
        logLevel: settings.logLevel,
      });
      if (!parsed.ok)
        throw new Error(
          `discovery-${index}: ${parsed.error.map((p) => `${p.field}: ${p.message}`).join('; ')}`,
        );
      running = await startDiscovery(parsed.value, { logger });
      port = running.port;
    },
    crash: async () => {
      const instance = running;
      running = undefined;
      await instance?.stop();
    },
  };
}
