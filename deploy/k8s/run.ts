/**
 * What `headcount deploy k8s` does once commander has parsed the flags: validate them (exit 2
 * naming each bad flag), build the layout, write it, and say what it wrote.
 */
import { join } from 'node:path';
import { definedOnly, failOptions, writeLayout } from '../write-files.ts';
import { k8sLayout } from './layout.ts';
import { parseDeployK8sOptions } from './options.ts';

export function runDeployK8s(flags: Record<string, unknown>): void {
  const parsed = parseDeployK8sOptions(definedOnly(flags));
  if (!parsed.ok) failOptions('deploy k8s', parsed.error);
  const layout = k8sLayout(parsed.value);
  writeLayout(parsed.value.out, layout);
  const overlay = join(parsed.value.out, 'overlays', parsed.value.mode ?? 'c');
  process.stdout.write(
    `wrote ${layout.size} files to ${parsed.value.out}; build one with: kubectl kustomize ${overlay}\n`,
  );
}
