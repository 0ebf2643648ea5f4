/**
 * Writing a generated layout (relative path -> text) under a folder, for the `deploy` commands,
 * and reporting option problems the way every command does: the flag, the message, exit 2.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { flagOf } from '../impl/config/serve-options.ts';

export function writeLayout(outDir: string, layout: ReadonlyMap<string, string>): void {
  for (const [path, text] of layout) {
    const target = join(outDir, path);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, text);
  }
}

export function failOptions(command: string, problems: readonly { field: string; message: string }[]): never {
  for (const problem of problems)
    process.stderr.write(`headcount ${command}: ${flagOf(problem.field)}: ${problem.message}\n`);
  process.stderr.write(`(run headcount ${command} --help for usage)\n`);
  process.exit(2);
}

/** commander leaves absent options undefined; the schemas want them absent so defaults apply. */
export function definedOnly(flags: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(flags).filter(([, value]) => value !== undefined));
}
