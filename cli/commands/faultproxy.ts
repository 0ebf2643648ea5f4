/**
 * `headcount faultproxy`: a Toxiproxy-compatible fault proxy (lab/faultproxy). Any Toxiproxy
 * client drives it; `--seed` makes jitter, toxicity and slicer draws reproducible.
 */
import { type Command, Option } from 'commander';
import { type FieldProblem, failUsage } from '../../impl/config/usage-error.ts';

interface FaultProxyFlags {
  host: string;
  port: string;
  seed?: string;
  logLevel: string;
}

const seedMax = 0xffff_ffff;

function parseIntegerFlag(flag: string, text: string, max: number, problems: FieldProblem[]): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || value > max) {
    problems.push({ flag, message: `"${text}" is not an integer in 0..${max}` });
  }
  return value;
}

export function register(program: Command): void {
  program
    .command('faultproxy')
    .description('Run a Toxiproxy-compatible fault proxy (HTTP API + TCP proxies with toxics).')
    .option('--host <host>', 'API address', '127.0.0.1')
    .option('--port <n>', 'API port (Toxiproxy uses 8474); 0 takes a free one', '8474')
    .option(
      '--seed <n>',
      'root seed 0..4294967295 for jitter, toxicity and slicer draws (default: random, logged)',
    )
    .addOption(
      new Option('--log-level <level>', 'log level')
        .choices(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
        .default('info'),
    )
    .action(async (flags: FaultProxyFlags) => {
      const problems: FieldProblem[] = [];
      const port = parseIntegerFlag('--port', flags.port, 65535, problems);
      const seed =
        flags.seed === undefined ? undefined : parseIntegerFlag('--seed', flags.seed, seedMax, problems);
      if (problems.length > 0) failUsage('faultproxy', problems);
      const { runFaultProxy } = await import('../../lab/faultproxy/run.ts');
      await runFaultProxy({ host: flags.host, port, seed, logLevel: flags.logLevel });
    });
}
