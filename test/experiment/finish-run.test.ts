import { describe, expect, it } from 'vitest';
import { defaultSimConfig, resolveSimConfig, simConfigSchema } from '../../experiment/config.ts';
import { checkOptionsOf, finishRun, propagationSlackMsOf } from '../../experiment/finish-run.ts';
import { emptyHistory } from '../../experiment/history.ts';

describe('one way from a finished run to a result', () => {
  it('gives both engines the same checker options but for the propagation slack', () => {
    const config = resolveSimConfig({ workload: { initialClients: 10 }, cluster: { publishDelayMs: 200 } });
    const sim = checkOptionsOf(config, 'sim');
    const real = checkOptionsOf(config, 'real');
    expect({ ...real, quietMs: sim.quietMs }).toEqual(sim);
    expect(real.quietMs - sim.quietMs).toBe(propagationSlackMsOf.real - propagationSlackMsOf.sim);
    expect(sim.warmupMs).toBe(1_200); // a run that starts with clients gets its first publishes judged later
  });

  it('names the engine, the run and the resolved config in the result, with the engine extras last', () => {
    const config = resolveSimConfig({ scenario: 'demo', seed: 9, durationMs: 1_000 });
    const result = finishRun({
      engine: 'real',
      config,
      history: emptyHistory(1_000),
      configExtra: { timeScale: 0.1 },
    });
    expect(result).toMatchObject({ engine: 'real', scenario: 'demo', runId: 'demo/seed-9', seed: 9 });
    expect(result.config.timeScale).toBe(0.1);
    expect(result.config.ttlMs).toBe(config.cluster.ttlMs);
  });
});

describe('the run config schema', () => {
  it('is where every default comes from: the defaults are the schema parsing nothing', () => {
    expect(defaultSimConfig()).toEqual(simConfigSchema.parse({}));
    expect(resolveSimConfig({})).toEqual(defaultSimConfig());
  });

  it('fills omitted fields at any depth and keeps given ones', () => {
    const config = resolveSimConfig({ network: { redis: { latency: { baseMs: 3 } } } });
    expect(config.network.redis.latency).toEqual({ baseMs: 3, jitterMs: 0.5, jitter: 'uniform' });
    expect(config.network.clients).toEqual(defaultSimConfig().network.clients);
  });

  it('refuses a value of the wrong type, naming the field, with a stable code', () => {
    expect(() => resolveSimConfig({ cluster: { mode: 'b' as never } })).toThrow(/cluster\.mode/);
    try {
      resolveSimConfig({ faults: { schedule: [{ atMs: 1, kind: 'meteor' as never, target: 'redis' }] } });
      expect.unreachable();
    } catch (error) {
      expect((error as { code?: string }).code).toBe('HC_CONFIG_INVALID');
    }
  });
});
