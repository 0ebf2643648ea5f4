/**
 * What `headcount sim` does once its flags are parsed (cli/commands/sim.ts keeps only the
 * options): build the SimConfig, print `SEED=` and the config, run, print a summary, write JSON.
 */
import { writeFile } from 'node:fs/promises';
import { resolveSimConfig, type SimConfig } from '../experiment/config.ts';
import { runSimulation } from './run.ts';

export interface SimCommandOptions {
  mode: 'local' | 'a' | 'c';
  seed: number;
  servers: number;
  durationMs: number;
  ttlMs: number;
  heartbeatMs: number;
  arrivalRatePerSec: number;
  sessionMsMean: number;
  whoRatePerSec: number;
  initialClients: number;
  loadBalancer: 'round-robin' | 'least-connections' | 'random';
  idStrategy: 'uuid' | 'stable' | 'uuidv7' | 'snowflake';
  faultRatePerHour: number;
  jsonPath: string | undefined;
}

export function simConfigFromOptions(options: SimCommandOptions): SimConfig {
  const rate = options.faultRatePerHour;
  const ratesPerHour =
    rate > 0
      ? {
          crash: rate,
          partition: rate,
          ...(options.mode === 'a' ? { 'redis-outage': rate } : {}),
          ...(options.mode === 'c' ? { 'discovery-crash': rate } : {}),
        }
      : {};
  return resolveSimConfig({
    seed: options.seed,
    durationMs: options.durationMs,
    cluster: {
      mode: options.mode,
      servers: options.servers,
      ttlMs: options.ttlMs,
      heartbeatMs: options.heartbeatMs,
      idStrategy: options.idStrategy,
    },
    workload: {
      arrivalRatePerSec: options.arrivalRatePerSec,
      sessionLength: { kind: 'exponential', meanMs: options.sessionMsMean },
      whoRatePerSec: options.whoRatePerSec,
      initialClients: options.initialClients,
      loadBalancer: options.loadBalancer,
    },
    faults: {
      generated: { ratesPerHour, durationMsMean: 10_000 },
      healAtMs: rate > 0 ? options.durationMs * 0.7 : -1,
    },
  });
}

export async function runSimCommand(options: SimCommandOptions): Promise<void> {
  const config = simConfigFromOptions(options);
  process.stdout.write(`SEED=${config.seed}\n`);
  process.stdout.write(`${JSON.stringify(config)}\n`);
  const result = runSimulation(config);
  const { who } = result;
  process.stdout.write(
    `${JSON.stringify({
      msg: 'summary',
      steps: result.steps,
      asked: who.asked,
      availability: who.availability,
      wrong: who.wrong,
      errorP99: who.error.p99,
      errorMax: who.error.max,
      errorMin: who.error.min,
      staleWindows: result.staleWindows.length,
      refusalWindows: result.refusalWindows.length,
      redisOpsPerSec: result.redisOpsPerSec,
      broadcastsPerSec: result.broadcastsPerSec,
      checks: result.checks.map((check) => `${check.ok ? 'ok' : 'FAIL'} ${check.name}: ${check.detail}`),
    })}\n`,
  );
  if (options.jsonPath !== undefined)
    await writeFile(options.jsonPath, `${JSON.stringify(result, null, 2)}\n`);
  if (result.checks.some((check) => !check.ok)) process.exitCode = 1;
}
