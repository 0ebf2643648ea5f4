/** `headcount discovery`: one mode C discovery instance. Flags map onto `DiscoveryOptions`. */
import { type Command, Option } from 'commander';

export function register(program: Command): void {
  program
    .command('discovery')
    .description('Run a mode C discovery instance: membership with leases, WHO counts by fan-out.')
    .option('--host <host>', 'API address', '127.0.0.1')
    .option('--port <n>', 'API port; 0 takes a free one', '7100')
    .option('--lease-ms <ms>', 'a server not renewed for this long is dropped', '3000')
    .option('--fanout-timeout-ms <ms>', 'a count waits this long for every server, then fails', '500')
    .option(
      '--instances <n>',
      'how many discovery instances this deployment runs; a server given fewer --discovery addresses refuses to join (absent: not checked)',
    )
    .option(
      '--admin-port <n>',
      'admin HTTP port for /healthz /readyz /metrics (0 = a free one); off when absent',
    )
    .option('--admin-host <host>', 'admin HTTP address', '127.0.0.1')
    .option(
      '--member-networks <cidrs>',
      "CIDR blocks a member's count URL must lie in (default: the registering address and loopback)",
    )
    .option('--token <token>', 'shared control-plane token (default: $HEADCOUNT_TOKEN); required')
    .addOption(
      new Option('--log-level <level>', 'log level')
        .choices(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
        .default('info'),
    )
    .action(async (flags: Record<string, unknown>) => {
      const { runDiscovery } = await import('../../impl/adapters/discovery/run-discovery.ts');
      await runDiscovery(flags);
    });
}
