/**
 * `headcount lab`: the real-time lab's demos. Kept small on purpose; scenario runs on the lab go
 * through `headcount scenario --engine real`. `headcount lab redis-cut` (alias `acceptance`) runs
 * lab/examples/redis-cut.ts: 3 mode A servers, one Redis link cut and healed, a timeline printed.
 */
import type { Command } from 'commander';
import { failUsage } from '../../impl/config/usage-error.ts';

const demos = ['redis-cut', 'acceptance'];

export function register(program: Command): void {
  program
    .command('lab')
    .description(
      'Real-time lab demos on real processes and sockets (redis-cut: cut one server off Redis, watch WHO)',
    )
    .argument('<demo>', `one of: ${demos.join(', ')}`)
    .action(async (demo: string) => {
      if (!demos.includes(demo))
        failUsage('lab', [{ flag: '<demo>', message: `unknown demo ${demo}; one of ${demos.join(', ')}` }]);
      const { runRedisCut } = await import('../../lab/examples/redis-cut.ts');
      const report = await runRedisCut();
      const ok = report.missingWhileCut > 0 && report.backAfterHeal > 0;
      process.exit(ok ? 0 : 1);
    });
}
