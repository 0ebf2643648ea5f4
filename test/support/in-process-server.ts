/** Starts a real server (real sockets, real adapters) inside the test process. */
import { createLogger } from '../../impl/adapters/logger.ts';
import { type RunningServer, startServer } from '../../impl/adapters/server.ts';
import { parseServeOptions } from '../../impl/config/serve-options.ts';

export async function startTestServer(overrides: Record<string, unknown> = {}): Promise<RunningServer> {
  const options = parseServeOptions({ port: 0, logLevel: 'silent', ...overrides });
  if (!options.ok) throw new Error(JSON.stringify(options.error));
  const started = await startServer(options.value, { logger: createLogger(options.value.logLevel) });
  if (!started.ok) throw new Error(started.error.message);
  return started.value;
}
