/**
 * `headcount deploy k8s`: write Kubernetes manifests (a kustomize layout) generated from the
 * server's own flags and defaults, so a rollout's grace period, probes and descriptor budget
 * cannot drift from the code; `headcount deploy systemd` does the same for systemd units.
 * Options and help only; the generators live in deploy/.
 */
import { type Command, Option } from 'commander';

export function register(program: Command): void {
  const deploy = program.command('deploy').description('Generate deployment artefacts.');
  deploy
    .command('k8s')
    .description(
      'Write a kustomize layout: base, overlays per mode, monitoring, and sweep/load Jobs (see ops/README.md)',
    )
    .addOption(new Option('--mode <mode>', 'which overlay to write (default: both)').choices(['a', 'c']))
    .option('--out <dir>', 'folder to write into (the checked-in copy is ops/k8s)', 'ops/k8s')
    .option('--image <ref>', 'container image for every pod (default: headcount:<version>)')
    .option('--replicas <n>', 'server pods (default 3)')
    .option('--max-connections <n>', 'serve --max-connections; sizes the fd budget and memory request')
    .option('--drain-ms <ms>', 'serve --drain-ms; the grace period is set above it')
    .option(
      '--redis <url>',
      'mode a: redis://, rediss://, redis-cluster:// or redis-sentinel://h:p,h:p/master',
    )
    .option(
      '--sweep-file <path>',
      'sweep Job: scenario file inside the image (default scenarios/ttl-sweep.yaml)',
    )
    .option('--shards <n>', 'sweep Job: shards, one pod each (default 4)')
    .option('--seed <n>', 'sweep Job: root seed all shards share (default 1)')
    .option('--load-pods <k>', 'load Job: pods driving load at once (default 4)')
    .option(
      '--load-connections <n>',
      'load Job: held connections in total, a multiple of --load-pods (default 20000)',
    )
    .option('--load-duration-ms <ms>', 'load Job: measured time (default 60000)')
    .action(async (flags: Record<string, unknown>) => {
      const { runDeployK8s } = await import('../../deploy/k8s/run.ts');
      runDeployK8s(flags);
    });
  deploy
    .command('systemd')
    .description(
      'Write systemd units for a server and a discovery instance (sandboxed, sized from the flags)',
    )
    .option('--out <dir>', 'folder to write into (the checked-in copy is ops/systemd)', 'ops/systemd')
    .option('--dir <path>', 'where the checkout with npm ci --omit=dev lives (default /opt/headcount)')
    .option('--node <path>', 'the Node 20 binary (default /usr/bin/node)')
    .option('--max-connections <n>', "serve --max-connections (default: serve's); LimitNOFILE covers it")
    .option('--drain-ms <ms>', "serve --drain-ms (default: serve's); TimeoutStopSec outlasts the whole stop")
    .action(async (flags: Record<string, unknown>) => {
      const { runDeploySystemd } = await import('../../deploy/systemd/run.ts');
      runDeploySystemd(flags);
    });
}
