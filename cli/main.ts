/**
 * The `headcount` command line, and the composition root of the repository: the only place
 * that knows the service (impl/), both engines (sim/, lab/), the scenario runner and the reports.
 * Every file in `commands/` exports `register(program)` and adds one subcommand; `commands`
 * below lists them all, in the order `--help` shows them. Command files stay light (options
 * only) and import their implementation inside the action, so `headcount --help` does not load
 * chart.js or a browser driver.
 *
 * Exit codes: 0 success, 1 the job failed (an expectation, a check), 2 bad usage (unknown flag,
 * a value out of range). Commander exits 1 on usage errors by default; we override it.
 */
import { Command, CommanderError } from 'commander';
import { packageVersion } from '../impl/version.ts';
import * as discovery from './commands/discovery.ts';
import * as faultproxy from './commands/faultproxy.ts';
import * as health from './commands/health.ts';
import * as lab from './commands/lab.ts';
import * as load from './commands/load.ts';
import * as protocol from './commands/protocol.ts';
import * as report from './commands/report.ts';
import * as scenario from './commands/scenario.ts';
import * as serve from './commands/serve.ts';
import * as sim from './commands/sim.ts';
import * as slo from './commands/slo.ts';

/** Every subcommand, in `--help` order. */
const commands: readonly { register(program: Command): void }[] = [
  discovery,
  faultproxy,
  health,
  lab,
  load,
  protocol,
  report,
  scenario,
  serve,
  sim,
  slo,
];

export const exitUsage = 2;

async function main(argv: string[]): Promise<void> {
  const program = new Command('headcount')
    .description(
      'Count clients across a fleet of WHO/WHERE/WHY servers in two CAP modes, and measure the trade-off.',
    )
    .version(packageVersion, '-V, --version')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  for (const command of commands) command.register(program);
  try {
    await program.parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      const ok = ['commander.helpDisplayed', 'commander.version', 'commander.help'].includes(error.code);
      process.exit(ok ? 0 : exitUsage);
    }
    throw error;
  }
}

await main(process.argv);
