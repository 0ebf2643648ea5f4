/**
 * The `headcount` command line. Every file in `commands/` exports `register(program)` and adds
 * one subcommand; this file finds them, so adding a command never edits a shared list. Command
 * files stay light (options only) and import their implementation inside the action, so
 * `headcount --help` does not load chart.js or a browser driver.
 *
 * Exit codes: 0 success, 1 the job failed (an expectation, a check), 2 bad usage (unknown flag,
 * a value out of range). Commander exits 1 on usage errors by default; we override it.
 */
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Command, CommanderError } from 'commander';
import { packageVersion } from '../impl/version.ts';

export const exitUsage = 2;

async function main(argv: string[]): Promise<void> {
  const program = new Command('headcount')
    .description(
      'Count clients across a fleet of WHO/WHERE/WHY servers in two CAP modes, and measure the trade-off.',
    )
    .version(packageVersion, '-V, --version')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  const commandsDir = join(dirname(fileURLToPath(import.meta.url)), 'commands');
  const files = readdirSync(commandsDir)
    .filter((name) => name.endsWith('.ts'))
    .sort();
  for (const file of files) {
    const mod = (await import(pathToFileURL(join(commandsDir, file)).href)) as {
      register?: (program: Command) => void;
    };
    mod.register?.(program);
  }
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
