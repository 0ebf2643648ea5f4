/**
 * `headcount load`: drive WHO/WHERE/WHY (or Redis PING) load at one or more servers and report
 * latency histograms, throughput and errors; `headcount load merge` adds up result files from
 * several machines. Options and help only; the driver lives in `lab/load/`.
 */
import type { Command } from 'commander';
import { failUsage } from '../../impl/config/usage-error.ts';

export function register(program: Command): void {
  const load = program
    .command('load')
    .description(
      'Drive load at servers (closed or open loop, ramp or churn) and report HDR latency percentiles',
    )
    .option('--target <hosts>', 'HOST:PORT[,HOST:PORT...], taken in turn (round robin)')
    .option('--connections <n>', 'held connections (default 10; 0 with --churn-per-sec only)')
    .option('--duration-ms <ms>', 'measured time after warmup (default 10000)')
    .option('--requests <n>', 'stop after this many requests in total')
    .option(
      '--rate <perSec>',
      'open loop: requests/s across connections on a fixed schedule; latency from the intended send time',
    )
    .option('--pipeline <depth>', 'closed loop: requests in flight per connection (default 1)')
    .option('--command <verbs>', 'WHO, WHERE, WHY or mix:WHO=1,WHY=9 (default WHO)')
    .option(
      '--connect-rate <perSec>',
      'open held connections at this rate, then hold them (default all at once)',
    )
    .option('--churn-per-sec <n>', 'connect, send one request, disconnect, n times per second')
    .option('--workers <n>', 'worker threads sharing the connections (default 1)')
    .option('--warmup-ms <ms>', 'load before the measured window, not recorded (default 0)')
    .option('--timeout-ms <ms>', 'a request or connect unanswered this long is a timeout (default 5000)')
    .option(
      '--check',
      'validate every reply (WHY is 42, WHO an integer, WHERE non-empty); exit 1 on a bad one',
    )
    .option('--protocol <name>', 'line (default) or redis-inline (PING, to compare with redis-benchmark)')
    .option('--json <file>', 'also write the result JSON to FILE (- writes only the JSON to stdout)')
    .action(async (flags: Record<string, string | boolean | undefined>) => {
      const { parseLoadFlags, runLoadCommand } = await import('../../lab/load/cli.ts');
      const parsed = parseLoadFlags(flags);
      if (!parsed.ok) failUsage('load', parsed.error);
      process.exitCode = await runLoadCommand(parsed.value, flags.json as string | undefined);
    });
  load
    .command('merge')
    .description('Add up load result files (runs made side by side, e.g. from several machines)')
    .argument('<files...>', 'result JSON files written with --json')
    .option('--json <file>', 'also write the merged JSON to FILE (- writes only the JSON to stdout)')
    .action(async (files: string[], flags: { json?: string }, command: Command) => {
      const { runMergeCommand } = await import('../../lab/load/cli.ts');
      // `load` has a --json of its own, and commander hands a flag to the parent when both define it.
      const json = flags.json ?? (command.parent?.opts().json as string | undefined);
      process.exitCode = runMergeCommand(files, json);
    });
}
