/** What `headcount deploy systemd` does: validate the flags, write the two units, say where. */
import { definedOnly, failOptions, writeLayout } from '../write-files.ts';
import { parseDeploySystemdOptions, systemdLayout } from './units.ts';

export function runDeploySystemd(flags: Record<string, unknown>): void {
  const parsed = parseDeploySystemdOptions(definedOnly(flags));
  if (!parsed.ok) failOptions('deploy systemd', parsed.error);
  const layout = systemdLayout(parsed.value);
  writeLayout(parsed.value.out, layout);
  process.stdout.write(`wrote ${[...layout.keys()].join(', ')} to ${parsed.value.out}\n`);
}
