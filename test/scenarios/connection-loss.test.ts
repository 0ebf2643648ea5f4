/**
 * Loss as TCP shows it has the same observable effect on both engines. Goal: the scenario's
 * `lossModel: connection` (experiment/config.ts) means one thing on the simulator and on the lab.
 * Method: one small mode local run with a share p of the client connections stalled, on the
 * simulator (which draws each connection's stall) and on the real engine (real TCP clients
 * through the fault proxy, whose `timeout` toxic with toxicity p draws per connection as
 * Toxiproxy does). A client sees a stalled connection as WHOs that never get an answer, so the
 * share of WHOs that time out is the share of stalled connections that asked; on both engines
 * it must be p within a tolerance that covers the draw (each engine draws its own connections:
 * about 300 connections, so one standard deviation of the realised share is 2.5 points).
 */
import { describe, expect, test } from 'vitest';
import type { SimConfigInput } from '../../experiment/config.ts';
import type { RunResult } from '../../experiment/result.ts';
import type { RunSpec } from '../../experiment/run-spec.ts';
import { runReal } from '../../lab/engine.ts';
import { runSimulation } from '../../sim/run.ts';

const stalledShare = 1 / 4;
/** Four standard deviations of the realised share of ~300 connections, plus timer slack. */
const tolerance = 0.1;

const config: SimConfigInput = {
  durationMs: 20_000,
  cluster: { mode: 'local', servers: 3 },
  network: { clients: { lossProbability: { numerator: 1, denominator: 4 }, lossModel: 'connection' } },
  workload: {
    initialClients: 300,
    arrivalRatePerSec: 0,
    sessionLength: { kind: 'exponential', meanMs: 600_000 },
    whoRatePerSec: 30,
    whoTimeoutMs: 2_000,
  },
};

const spec: RunSpec = {
  engine: 'real',
  scenario: 'connection-loss',
  file: 'connection-loss.yaml',
  runId: 'connection-loss/mode=local/seed-5',
  seed: 5,
  params: { mode: 'local' },
  timeScale: 0.25,
  config,
};

/** The share of WHOs asked that got no answer before the client gave up. */
function timedOutShare(result: RunResult): number {
  return result.who.timedOut / result.who.asked;
}

describe('loss as TCP shows it: a share of connections stalled, on both engines', () => {
  test('the share of WHOs that time out is the stalled share of connections on the simulator and on the real engine', async () => {
    const sim = runSimulation({ ...config, seed: spec.seed, scenario: spec.scenario, runId: spec.runId });
    const real = await runReal(spec);
    const simShare = timedOutShare(sim);
    const realShare = timedOutShare(real);
    console.log(
      `connection-loss: WHOs timed out sim ${sim.who.timedOut}/${sim.who.asked} (${simShare.toFixed(3)}), real ${real.who.timedOut}/${real.who.asked} (${realShare.toFixed(3)}); stalled share ${stalledShare}`,
    );
    expect(real.config.networkApplied).toContain(
      'clients: 0.25 of connections stalled (timeout toxic, toxicity 0.25)',
    );
    expect(Math.abs(simShare - stalledShare)).toBeLessThanOrEqual(tolerance);
    expect(Math.abs(realShare - stalledShare)).toBeLessThanOrEqual(tolerance);
    expect(Math.abs(realShare - simShare)).toBeLessThanOrEqual(tolerance);
  }, 60_000);

  test('under the message model nothing is drawn per connection: a stall-free run stays as it was', () => {
    const base: SimConfigInput = { ...config, network: {} };
    const noLoss = runSimulation({ ...base, seed: 5 });
    const zeroConnectionLoss = runSimulation({
      ...base,
      seed: 5,
      network: { clients: { lossProbability: { numerator: 0, denominator: 1 }, lossModel: 'connection' } },
    });
    expect(zeroConnectionLoss.who).toEqual(noLoss.who);
    expect(noLoss.who.timedOut).toBe(0);
  });
});
