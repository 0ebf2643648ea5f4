/**
 * Simulator benchmark. (1) One simulated hour: 20 servers, ~5,000 concurrent clients (50
 * arrivals/s, 100 s mean sessions), 10 WHO/s, 1 s heartbeat, mode A; prints events/s and the
 * simulated-time speed-up (target: <= 3 s wall, >= 1M events/s). (2) A sweep of 8 TTLs x 3
 * heartbeat ratios x 5 seeds of 10-minute runs spread over worker threads (target <= 60 s).
 * Run: `npx tsx bench/sim.ts [--hour-only|--sweep-only]`.
 */
import { availableParallelism } from 'node:os';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import type { SimConfigInput } from '../experiment/config.ts';
import { runSimulation } from '../sim/run.ts';
import { type BenchRow, printRows, row, writeRows } from './report.ts';

/** The simulator's targets are absolute (the issue's), so each row compares with its target. */
const rows: BenchRow[] = [];

const hourConfig: SimConfigInput = {
  scenario: 'bench-hour',
  seed: 1,
  durationMs: 3_600_000,
  cluster: { mode: 'a', servers: 20, heartbeatMs: 1_000, ttlMs: 5_000 },
  workload: {
    arrivalRatePerSec: 50,
    initialClients: 5_000,
    sessionLength: { kind: 'exponential', meanMs: 100_000 },
    whoRatePerSec: 10,
  },
};

function sweepConfigs(): SimConfigInput[] {
  const configs: SimConfigInput[] = [];
  for (const ttlMs of [1_000, 2_000, 3_000, 5_000, 10_000, 15_000, 30_000, 60_000]) {
    for (const ratio of [1, 2, 3]) {
      for (let seed = 1; seed <= 5; seed += 1) {
        configs.push({
          ...hourConfig,
          scenario: 'bench-sweep',
          seed,
          durationMs: 600_000,
          params: { ttlMs, heartbeatRatio: ratio },
          cluster: { mode: 'a', servers: 20, ttlMs, heartbeatMs: Math.round(ttlMs / ratio) },
          faults: { generated: { ratesPerHour: { crash: 6, partition: 6 }, durationMsMean: 10_000 } },
        });
      }
    }
  }
  return configs;
}

function runOne(config: SimConfigInput): { steps: number; simulatedMs: number } {
  const result = runSimulation(config);
  return { steps: result.steps, simulatedMs: result.durationMs };
}

async function sweep(): Promise<void> {
  const configs = sweepConfigs();
  const workers = Math.max(1, Math.min(availableParallelism(), 8));
  const started = performance.now();
  let next = 0;
  let steps = 0;
  let simulatedMs = 0;
  await Promise.all(
    Array.from({ length: workers }, async () => {
      // A worker cannot start from a .ts file directly: register tsx first, then import this file.
      const entry = `import('tsx/esm/api').then((api) => { api.register(); return import(${JSON.stringify(import.meta.url)}); })`;
      const worker = new Worker(entry, { eval: true, workerData: { worker: true } });
      for (;;) {
        const index = next++;
        if (index >= configs.length) break;
        const outcome = await new Promise<{ steps: number; simulatedMs: number }>((resolve, reject) => {
          const onError = (error: Error) => reject(error);
          worker.once('error', onError);
          worker.once('message', (outcome) => {
            worker.off('error', onError);
            resolve(outcome);
          });
          worker.postMessage(configs[index]);
        });
        steps += outcome.steps;
        simulatedMs += outcome.simulatedMs;
      }
      await worker.terminate();
    }),
  );
  const wallMs = performance.now() - started;
  rows.push(
    row(`sweep of ${configs.length} ten-minute runs, wall time`, 'ms', wallMs, 60_000, 'target', '<= 1'),
  );
  console.log(
    JSON.stringify({
      bench: 'sim-sweep',
      runs: configs.length,
      workers,
      wallMs: Math.round(wallMs),
      eventsPerSec: Math.round((steps / wallMs) * 1000),
      speedUp: Math.round(simulatedMs / wallMs),
      targetWallMs: 60_000,
    }),
  );
}

function hour(): void {
  const cpuStart = process.cpuUsage();
  const started = performance.now();
  const { steps, simulatedMs } = runOne(hourConfig);
  const wallMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuStart);
  rows.push(row('one simulated hour, wall time', 'ms', wallMs, 3_000, 'target', '<= 1'));
  rows.push(
    row(
      'one simulated hour, events per second',
      'ev/s',
      (steps / wallMs) * 1000,
      1_000_000,
      'target',
      '>= 1',
    ),
  );
  console.log(
    JSON.stringify({
      bench: 'sim-hour',
      events: steps,
      wallMs: Math.round(wallMs),
      cpuMs: Math.round((cpu.user + cpu.system) / 1000),
      eventsPerSec: Math.round((steps / wallMs) * 1000),
      speedUp: Math.round(simulatedMs / wallMs),
      targetWallMs: 3_000,
      targetEventsPerSec: 1_000_000,
    }),
  );
}

if (!isMainThread && (workerData as { worker?: boolean })?.worker) {
  parentPort!.on('message', (config: SimConfigInput) => parentPort!.postMessage(runOne(config)));
} else {
  const only = process.argv[2];
  if (only !== '--sweep-only') hour();
  if (only !== '--hour-only') await sweep();
  printRows('sim', rows);
  writeRows('sim', rows);
}
