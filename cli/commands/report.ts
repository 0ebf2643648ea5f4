/**
 * `headcount report RESULTS_DIR... [--out DIR]`: turns results folders (several merge, e.g. the
 * shards of `headcount scenario --shard I/N`) into a self-contained HTML page plus a PNG per
 * chart, and prints the page's absolute path. The work lives in `reports/write-report.ts`.
 */
import { join } from 'node:path';
import type { Command } from 'commander';

export function register(program: Command): void {
  program
    .command('report')
    .description('Build the HTML report (and a PNG per chart) from one or more results folders.')
    .argument('<results-dir...>', 'results folders (results.json + runs/); several merge into one report')
    .option('--out <dir>', 'where to write index.html and the PNGs (default: FIRST_RESULTS_DIR/report)')
    .action(async (dirs: string[], flags: { out?: string }) => {
      const { writeReport } = await import('../../reports/write-report.ts');
      const { ResultsFormatError } = await import('../../reports/load-results.ts');
      try {
        const { indexPath } = await writeReport(dirs, flags.out ?? join(dirs[0]!, 'report'));
        process.stdout.write(`${indexPath}\n`);
      } catch (error) {
        if (!(error instanceof ResultsFormatError)) throw error;
        process.stderr.write(`headcount report: ${error.code}: ${error.message}\n`);
        process.exit(1);
      }
    });
}
