/**
 * The long-running form behind `headcount faultproxy`: logs the seed first (so a run can be
 * repeated), then `listening` once the API is up, and closes everything on SIGTERM or SIGINT.
 */
import { createLogger, type LogLevel } from '../../impl/adapters/logger.ts';
import { startFaultProxy } from './index.ts';

export interface RunOptions {
  readonly host: string;
  readonly port: number;
  readonly seed: number | undefined;
  readonly proxiesMax: number | undefined;
  readonly toxicsPerProxyMax: number | undefined;
  readonly logLevel: string;
}

export async function runFaultProxy(options: RunOptions): Promise<void> {
  const logger = createLogger(options.logLevel as LogLevel, 'faultproxy');
  let proxy: Awaited<ReturnType<typeof startFaultProxy>>;
  try {
    proxy = await startFaultProxy({
      host: options.host,
      port: options.port,
      seed: options.seed,
      proxiesMax: options.proxiesMax,
      toxicsPerProxyMax: options.toxicsPerProxyMax,
      logger,
    });
  } catch (error) {
    logger.fatal({ err: error }, 'cannot listen');
    process.exitCode = 1;
    return;
  }
  logger.info({ seed: proxy.seed }, 'seed');
  logger.info({ port: proxy.port, host: options.host, url: proxy.url }, 'listening');
  const stop = (signal: string): void => {
    logger.info({ signal }, 'stopping');
    void proxy.close().then(() => process.exit(0));
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}
