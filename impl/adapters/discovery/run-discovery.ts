/**
 * `headcount discovery` wiring: validate flags, start the instance, log `listening`, stop on
 * SIGTERM/SIGINT. Nothing else lives here.
 */
import { flagOf } from '../../config/serve-options.ts';
import { failUsage } from '../../config/usage-error.ts';
import { createLogger, type LogLevel } from '../logger.ts';
import { parseDiscoveryOptions } from './discovery-options.ts';
import { startDiscovery } from './discovery-server.ts';

export async function runDiscovery(flags: Record<string, unknown>): Promise<void> {
  const raw: Record<string, unknown> = { ...flags };
  raw.token ??= process.env.HEADCOUNT_TOKEN;
  for (const key of Object.keys(raw)) if (raw[key] === undefined) delete raw[key];
  const parsed = parseDiscoveryOptions(raw);
  if (!parsed.ok)
    failUsage(
      'discovery',
      parsed.error.map((problem) => ({ flag: flagOf(problem.field), message: problem.message })),
    );
  const options = parsed.value;
  const logger = createLogger(options.logLevel as LogLevel, 'headcount-discovery');
  let running: Awaited<ReturnType<typeof startDiscovery>>;
  try {
    running = await startDiscovery(options, { logger });
  } catch (error) {
    const message = `cannot listen on ${options.host}:${options.port}: ${(error as Error).message}`;
    logger.fatal({ code: 'HC_START_FAILED' }, message);
    process.stderr.write(`headcount discovery: ${message}\n`);
    process.exit(1);
  }
  // The listening line is the readiness signal scripts wait for: printed at any level but silent.
  const announcer = options.logLevel === 'silent' ? logger : logger.child({}, { level: 'info' });
  announcer.info(
    {
      port: running.port,
      adminPort: running.adminPort ?? null,
      host: options.host,
      leaseMs: options.leaseMs,
      fanoutTimeoutMs: options.fanoutTimeoutMs,
    },
    'listening',
  );
  const stop = (signal: string) => {
    logger.info({ signal }, 'stopping');
    void running.stop().then(() => process.exit(0));
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}
