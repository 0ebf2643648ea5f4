/**
 * `headcount sim`: one deterministic simulated run (sim/run.ts). Prints `SEED=<n>` first, then
 * the resolved config, then a summary; `--json FILE` writes the RunResult. Same flags and seed,
 * same result, byte for byte.
 */
import { type Command, Option } from 'commander';
import { failUsage, type FieldProblem } from '../../impl/config/usage-error.ts';

interface SimFlags {
  mode: 'local' | 'a' | 'c';
  seed?: string;
  servers: string;
  durationMs: string;
  ttlMs: string;
  heartbeatMs: string;
  arrivalRate: string;
  sessionMs: string;
  whoRate: string;
  initialClients: string;
  loadBalancer: 'round-robin' | 'least-connections' | 'random';
  idStrategy: 'uuid' | 'stable' | 'uuidv7' | 'snowflake';
  faultRate: string;
  json?: string;
}

export function register(program: Command): void {
  program
    .command('sim')
    .description('Run one deterministic simulation of a fleet (virtual time, seeded) and print its result.')
    .addOption(new Option('--mode <mode>', 'counting mode').choices(['local', 'a', 'c']).default('a'))
    .option('--seed <n>', 'root seed (0..4294967295); random when omitted, and printed either way')
    .option('--servers <n>', 'servers behind the load balancer', '5')
    .option('--duration-ms <ms>', 'simulated run length', '60000')
    .option('--ttl-ms <ms>', 'mode A registry entry TTL', '5000')
    .option('--heartbeat-ms <ms>', 'mode A heartbeat / mode C renewal interval', '1000')
    .option('--arrival-rate <perSec>', 'Poisson client arrivals per second', '10')
    .option('--session-ms <ms>', 'mean session length (exponential)', '60000')
    .option('--who-rate <perSec>', 'WHO probes per second', '5')
    .option('--initial-clients <n>', 'clients connected at t=0', '0')
    .addOption(
      new Option('--load-balancer <policy>', 'load balancer policy')
        .choices(['round-robin', 'least-connections', 'random'])
        .default('round-robin'),
    )
    .addOption(
      new Option('--id-strategy <s>', 'server id strategy')
        .choices(['uuid', 'stable', 'uuidv7', 'snowflake'])
        .default('uuid'),
    )
    .option('--fault-rate <perHour>', 'generated crashes, partitions and outages per hour (each kind)', '0')
    .option('--json <file>', 'write the RunResult JSON here')
    .action(async (flags: SimFlags) => {
      const { runSimCommand } = await import('../../sim/cli.ts');
      const problems: FieldProblem[] = [];
      // Upper bounds keep one run within this machine's memory and a few minutes of CPU:
      // 100,000 concurrent clients and a simulated week are far beyond any catalogue scenario.
      const num = (flag: string, text: string, min: number, max: number, integer = true): number => {
        const value = Number(text);
        if (!Number.isFinite(value) || value < min || value > max || (integer && !Number.isInteger(value)))
          problems.push({
            flag,
            message: `${text} must be ${integer ? 'an integer' : 'a number'} in ${min}..${max}`,
          });
        return value;
      };
      const weekMs = 7 * 86_400_000;
      const seed =
        flags.seed === undefined
          ? Math.floor(Math.random() * 0x1_0000_0000)
          : num('--seed', flags.seed, 0, 0xffff_ffff);
      if (!Number.isInteger(seed) || seed > 0xffff_ffff) {
        problems.push({ flag: '--seed', message: `${flags.seed} must be an integer in 0..4294967295` });
      }
      const options = {
        mode: flags.mode,
        seed,
        servers: num('--servers', flags.servers, 1, 1_000),
        durationMs: num('--duration-ms', flags.durationMs, 1, weekMs),
        ttlMs: num('--ttl-ms', flags.ttlMs, 1, 3_600_000),
        heartbeatMs: num('--heartbeat-ms', flags.heartbeatMs, 1, 3_600_000),
        arrivalRatePerSec: num('--arrival-rate', flags.arrivalRate, 0, 10_000, false),
        sessionMsMean: num('--session-ms', flags.sessionMs, 1, weekMs),
        whoRatePerSec: num('--who-rate', flags.whoRate, 0, 10_000, false),
        initialClients: num('--initial-clients', flags.initialClients, 0, 100_000),
        loadBalancer: flags.loadBalancer,
        idStrategy: flags.idStrategy,
        faultRatePerHour: num('--fault-rate', flags.faultRate, 0, 3_600, false),
        jsonPath: flags.json,
      };
      if (problems.length > 0) failUsage('sim', problems);
      await runSimCommand(options);
    });
}
