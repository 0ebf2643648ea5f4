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
  // A signal may come while mode C still waits for its first lease: start-up then stops cleanly.
  const starting = new AbortController();
  let stop = (signal: string) => starting.abort(signal);
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  const started = await startServer(options, { logger, signal: starting.signal });
  if (!started.ok && started.error.code === 'HC_START_ABORTED') {
    logger.info({ signal: starting.signal.reason }, 'stopped');
    process.exit(0);
  }
  if (!started.ok) {
    logger.fatal({ code: started.error.code }, started.error.message);
    process.stderr.write(`headcount serve: ${started.error.message}\n`);
    process.exit(1);
  }
  const server = started.value;
  // The listening line is the readiness signal scripts wait for: printed at any level but silent.
  // It comes once the client port accepts clients it can serve (mode C: with a lease held), the
  // same moment /readyz turns ready.
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
  stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal, drainMs: options.drainMs }, 'draining');
    void server.stop().then(() => {
      logger.info('stopped');
      process.exit(0);
    });
  };
}
