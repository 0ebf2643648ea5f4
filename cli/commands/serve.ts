/** `headcount serve`: one server. Flags map one to one onto `ServeOptions` (impl/config/serve-options.ts). */
import { type Command, Option } from 'commander';

export function register(program: Command): void {
  program
    .command('serve')
    .description('Run a WHO/WHERE/WHY server (mode local, a or c).')
    .option('--host <host>', 'client address', '127.0.0.1')
    .option('--port <n>', 'client port; 0 takes a free one', '7000')
    .addOption(
      new Option(
        '--mode <mode>',
        'how WHO counts: local (this server), a (Redis registry), c (discovery fan-out)',
      )
        .choices(['local', 'a', 'c'])
        .default('local'),
    )
    .addOption(
      new Option(
        '--id <strategy>',
        'server id: uuid (new per start), stable (kept in --id-file), uuidv7, snowflake',
      )
        .choices(['uuid', 'stable', 'uuidv7', 'snowflake'])
        .default('uuid'),
    )
    .option('--id-file <path>', 'file that keeps the stable id', 'headcount.id')
    .option('--worker-id <n>', 'snowflake worker id 0-1023 (mode a leases one from Redis when omitted)')
    .option(
      '--admin-port <n>',
      'admin HTTP port for /healthz /readyz /metrics; 0 = off, auto = a free port',
      '0',
    )
    .option('--admin-host <host>', 'admin HTTP address', '127.0.0.1')
    .option('--max-connections <n>', 'clients at once; extra ones get ERR server full', '10000')
    .option('--max-connections-per-ip <n>', 'clients at once from one address; 0 = no limit', '0')
    .option('--idle-timeout-ms <ms>', 'close idle clients with BYE idle; 0 = never', '300000')
    .option('--max-connection-age-ms <ms>', 'close clients older than this with BYE max age; 0 = off', '0')
    .option('--max-line-bytes <n>', 'longest line; longer gets ERR line too long and a close', '1024')
    .option('--max-pending-replies <n>', 'replies awaiting a WHO answer before reading pauses', '64')
    .option('--max-output-bytes <n>', 'unsent reply bytes per client before decoding pauses', '16384')
    .option('--write-stall-ms <ms>', 'drop a client that has not read its replies for this long', '10000')
    .option(
      '--accept-handles <n>',
      'descriptors of the listening socket polled, so connections accepted per loop turn (1-64)',
      '4',
    )
    .option('--drain-ms <ms>', 'on SIGTERM/SIGINT, time open clients get before they are cut', '5000')
    .addOption(
      new Option('--log-level <level>', 'log level')
        .choices(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
        .default('info'),
    )
    .option(
      '--redis <url>',
      'mode a: Redis URL (redis://, rediss://, redis-sentinel://host:port/master, comma list = Cluster) or "memory" (ioredis-mock, demo only)',
      'redis://127.0.0.1:6379',
    )
    .option('--redis-prefix <prefix>', 'mode a: key prefix (used as the Cluster hash tag)', 'headcount')
    .option('--ttl-ms <ms>', 'mode a: an entry not refreshed for this long stops counting', '5000')
    .option('--heartbeat-ms <ms>', 'mode a: re-publish interval (keep it well under the TTL)', '1000')
    .option(
      '--publish-delay-ms <ms>',
      'mode a: coalesce count changes within this window; 0 = every change',
      '0',
    )
    .option('--who-timeout-ms <ms>', 'mode a: a slower Redis read answers the last known total', '200')
    .option(
      '--who-cache-ms <ms>',
      'mode a: serve WHO from a total at most this old; 0 = read every time',
      '0',
    )
    .option(
      '--redis-retry-max-ms <ms>',
      'mode a: Redis reconnects and failed writes back off up to this (from a 20th of it)',
      '1000',
    )
    .option('--discovery <urls>', 'mode c: discovery base URLs, comma-separated')
    .option('--token <token>', 'mode c: shared control-plane token (default: $HEADCOUNT_TOKEN)')
    .option('--discovery-timeout-ms <ms>', 'mode c: one discovery call before failing over', '1000')
    .option(
      '--count-url <url>',
      "mode c: the URL discovery calls for this server's count, when it reaches the server by another address (a proxy, a NAT); default: the admin URL + /count",
    )
    .action(async (flags: Record<string, unknown>) => {
      const { runServe } = await import('../serve.ts');
      await runServe(flags);
    });
}
