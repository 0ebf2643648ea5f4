/**
 * `headcount serve` wiring: validate flags, start the server, log `listening`, drain on
 * SIGTERM/SIGINT. Nothing else lives here.
 */
import { flagOf, parseServeOptions } from '../impl/config/serve-options.ts';
import { createLogger, type LogLevel } from '../impl/adapters/logger.ts';
import { startServer } from '../impl/adapters/server.ts';
import { failUsage } from '../impl/config/usage-error.ts';

export async function runServe(flags: Record<string, unknown>): Promise<void> {
  const raw: Record<string, unknown> = { ...flags };
  if (typeof raw.discovery === 'string') raw.discovery = raw.discovery.split(',').filter((url) => url !== '');
  raw.token ??= process.env.HEADCOUNT_TOKEN;
  for (const key of Object.keys(raw)) if (raw[key] === undefined) delete raw[key];
  const parsed = parseServeOptions(raw);
  if (!parsed.ok)
    failUsage(
      'serve',
      parsed.error.map((problem) => ({ flag: flagOf(problem.field), message: problem.message })),
    );
  const options = parsed.value;
  const logger = createLogger(options.logLevel as LogLevel);
  const started = await startServer(options, { logger });
  if (!started.ok) {
    logger.fatal({ code: started.error.code }, started.error.message);
    process.stderr.write(`headcount serve: ${started.error.message}\n`);
    process.exit(1);
  }
  const server = started.value;
  // The listening line is the readiness signal scripts wait for: printed at any level but silent.
  const announcer = options.logLevel === 'silent' ? logger : logger.child({}, { level: 'info' });
  announcer.info(
    {
      port: server.port,
      adminPort: server.adminPort ?? null,
      serverId: server.serverId,
      mode: options.mode,
      host: options.host,
    },
    'listening',
  );
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal, drainMs: options.drainMs }, 'draining');
    void server.stop().then(() => {
      logger.info('stopped');
      process.exit(0);
    });
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}
