/**
 * `headcount health`: a fleet health endpoint for load balancers and uptime checks. It probes
 * every target's `/readyz` when asked and answers `GET /healthz` 200 when the service can serve,
 * 503 otherwise (`impl/adapters/health-aggregator.ts`, `impl/observability/health-verdict.ts`).
 */
import type { Command } from 'commander';
import { type FieldProblem, failUsage } from '../../impl/config/usage-error.ts';

interface HealthFlags {
  listen: string;
  host: string;
  targets: string;
  timeoutMs: string;
  requireDiscovery: boolean;
}

/** A probe deadline past a minute would hold a health checker's connection open for no use. */
const timeoutMsMax = 60_000;

function parsePort(text: string, problems: FieldProblem[]): number {
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    problems.push({ flag: '--listen', message: `${text} is not a port in [0, 65535]` });
  }
  return port;
}

function parseTargets(text: string, problems: FieldProblem[], targetsMax: number): string[] {
  const targets = text
    .split(',')
    .map((target) => target.trim())
    .filter((target) => target !== '');
  if (targets.length === 0 || targets.length > targetsMax) {
    problems.push({ flag: '--targets', message: `${targets.length} URLs given; need 1 to ${targetsMax}` });
  }
  for (const target of targets) {
    if (!URL.canParse(target) || new URL(target).protocol !== 'http:') {
      problems.push({
        flag: '--targets',
        message: `${target} is not an http:// URL (e.g. http://127.0.0.1:9100)`,
      });
    }
  }
  return targets;
}

export function register(program: Command): void {
  program
    .command('health')
    .description('Serve GET /healthz: 200 when the fleet behind --targets can serve, 503 otherwise.')
    .requiredOption('--listen <port>', 'port to serve /healthz on (0 = any free port)')
    .option('--host <address>', 'interface to listen on', '127.0.0.1')
    .requiredOption('--targets <urls>', 'comma-separated admin URLs of servers and discovery instances')
    .option('--timeout-ms <ms>', 'deadline for each /readyz probe', '300')
    .option('--require-discovery', 'need a ready discovery instance even if none announces mode C', false)
    .action(async (flags: HealthFlags) => {
      const { startHealthAggregator, targetsMax } = await import('../../impl/adapters/health-aggregator.ts');
      const problems: FieldProblem[] = [];
      const port = parsePort(flags.listen, problems);
      const targets = parseTargets(flags.targets, problems, targetsMax);
      const timeoutMs = Number(flags.timeoutMs);
      if (!Number.isInteger(timeoutMs) || timeoutMs < 1 || timeoutMs > timeoutMsMax) {
        problems.push({
          flag: '--timeout-ms',
          message: `${flags.timeoutMs} is not a whole number in [1, ${timeoutMsMax}]`,
        });
      }
      if (problems.length > 0) failUsage('health', problems);
      const { createLogger } = await import('../../impl/adapters/logger.ts');
      const logger = createLogger('info', 'headcount-health');
      const aggregator = await startHealthAggregator({
        host: flags.host,
        port,
        targets,
        timeoutMs,
        requireDiscovery: flags.requireDiscovery,
        logger,
      });
      logger.info({ port: aggregator.port, host: flags.host, targets, timeoutMs }, 'listening');
      const stop = () => void aggregator.close().then(() => process.exit(0));
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
}
