/**
 * What `headcount deploy k8s` does once commander has parsed the flags: validate them (exit 2
 * naming each bad flag), build the layout, write it, and list what it wrote.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { flagOf } from '../../impl/config/serve-options.ts';
import { k8sLayout } from './layout.ts';
import { parseDeployK8sOptions } from './options.ts';

export function runDeployK8s(flags: Record<string, string | undefined>): void {
  const raw = Object.fromEntries(Object.entries(flags).filter(([, value]) => value !== undefined));
  const parsed = parseDeployK8sOptions(raw);
  if (!parsed.ok) {
    for (const problem of parsed.error)
      process.stderr.write(`headcount deploy k8s: ${flagOf(problem.field)}: ${problem.message}\n`);
    process.stderr.write('(run headcount deploy k8s --help for usage)\n');
    process.exit(2);
  }
  const layout = k8sLayout(parsed.value);
  for (const [path, text] of layout) {
    const target = join(parsed.value.out, path);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, text);
  }
  process.stdout.write(
    `wrote ${layout.size} files to ${parsed.value.out}; build one with: kubectl kustomize ${join(parsed.value.out, 'overlays', parsed.value.mode ?? 'c')}\n`,
  );
}
