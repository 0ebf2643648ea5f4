/**
 * The load driver's one `LoadOptions` object (STYLE §8): every field with its unit and default,
 * validated in one place by `resolveLoadOptions`, which lists every problem by field and returns a
 * frozen object. `runLoad` and the CLI both go through it, so the API and the flags agree.
 */
import type { Result } from '../../impl/core/result.ts';
import type { LoadProtocol, MixEntry } from './command-mix.ts';
import {
  connectionsMax,
  durationMsMax,
  openLoopInFlightMax,
  pipelineDepthMax,
  timeoutMsMax,
  workerCountMax,
} from './limits.ts';

export interface Target {
  host: string;
  port: number;
}

export interface LoadOptions {
  /** Servers to load; held connections and churn attempts take them in turn (round robin). */
  targets: readonly Target[];
  /** Held connections (capacity mode). Default 10. May be 0 when only churning. */
  connectionCount: number;
  /** Measured time, after warmup. Default 10 000 ms. */
  durationMs: number;
  /** Stop after this many requests (measured window, all connections). Default: no limit. */
  requestCountMax: number | null;
  /** Open loop: requests per second across all held connections on a fixed schedule. Default: closed loop. */
  ratePerSec: number | null;
  /** Closed loop: requests each connection keeps in flight. Default 1. */
  pipelineDepth: number;
  /** Verbs to send and their weights. Default WHO (line) or PING (redis-inline). */
  mix: readonly MixEntry[];
  /** Ramp: held connections opened per second, then held. Default: all at once. */
  connectRatePerSec: number | null;
  /** Churn: connect, one request, disconnect, this many times per second. Default: no churn. */
  churnPerSec: number | null;
  /** Worker threads sharing the connections; 1 runs in the calling thread. Default 1. */
  workerCount: number;
  /** Load sent but not recorded before the measured window. Default 0 ms. */
  warmupMs: number;
  /** A request or connect unanswered this long is a timeout; also the drain limit at the end. Default 5000 ms. */
  timeoutMs: number;
  /** Validate every reply's content, not only ERR/BYE. Default false. */
  check: boolean;
  /** `line` (WHO/WHERE/WHY) or `redis-inline` (PING, for comparing with redis-benchmark). Default line. */
  protocol: LoadProtocol;
}

export type LoadOptionsInput = Partial<LoadOptions> & Pick<LoadOptions, 'targets'>;

export interface OptionProblem {
  field: keyof LoadOptions;
  message: string;
}

export function resolveLoadOptions(input: LoadOptionsInput): Result<Readonly<LoadOptions>, OptionProblem[]> {
  const protocol = input.protocol ?? 'line';
  const options: LoadOptions = {
    targets: input.targets,
    connectionCount: input.connectionCount ?? 10,
    durationMs: input.durationMs ?? 10_000,
    requestCountMax: input.requestCountMax ?? null,
    ratePerSec: input.ratePerSec ?? null,
    pipelineDepth: input.pipelineDepth ?? 1,
    mix: input.mix ?? [{ verb: protocol === 'redis-inline' ? 'PING' : 'WHO', weight: 1 }],
    connectRatePerSec: input.connectRatePerSec ?? null,
    churnPerSec: input.churnPerSec ?? null,
    workerCount: input.workerCount ?? 1,
    warmupMs: input.warmupMs ?? 0,
    timeoutMs: input.timeoutMs ?? 5_000,
    check: input.check ?? false,
    protocol,
  };
  const problems = findProblems(options);
  if (problems.length > 0) return { ok: false, error: problems };
  return { ok: true, value: Object.freeze({ ...options, targets: Object.freeze([...options.targets]) }) };
}

function findProblems(options: LoadOptions): OptionProblem[] {
  const problems: OptionProblem[] = [];
  const need = (field: keyof LoadOptions, good: boolean, message: string) => {
    if (!good) problems.push({ field, message });
  };
  const intIn = (value: number, low: number, high: number) =>
    Number.isInteger(value) && value >= low && value <= high;
  need('targets', options.targets.length > 0, 'give at least one HOST:PORT');
  for (const target of options.targets) {
    need(
      'targets',
      target.host.length > 0 && intIn(target.port, 1, 65535),
      `bad target ${target.host}:${target.port}`,
    );
  }
  need('connectionCount', intIn(options.connectionCount, 0, connectionsMax), `must be 0..${connectionsMax}`);
  need(
    'connectionCount',
    options.connectionCount > 0 || options.churnPerSec !== null,
    'must be at least 1 unless churning',
  );
  need('durationMs', intIn(options.durationMs, 1, durationMsMax), `must be 1..${durationMsMax}`);
  if (options.requestCountMax !== null)
    need(
      'requestCountMax',
      intIn(options.requestCountMax, 1, Number.MAX_SAFE_INTEGER),
      'must be a positive integer',
    );
  need('pipelineDepth', intIn(options.pipelineDepth, 1, pipelineDepthMax), `must be 1..${pipelineDepthMax}`);
  if (options.ratePerSec !== null) {
    need(
      'ratePerSec',
      Number.isFinite(options.ratePerSec) && options.ratePerSec > 0,
      'must be a positive number',
    );
    need(
      'ratePerSec',
      options.connectionCount > 0,
      'the open loop needs held connections (--connections >= 1)',
    );
    need(
      'pipelineDepth',
      options.pipelineDepth === 1,
      `applies to the closed loop only; with a rate the schedule decides (up to ${openLoopInFlightMax} in flight)`,
    );
  }
  if (options.connectRatePerSec !== null)
    need(
      'connectRatePerSec',
      Number.isFinite(options.connectRatePerSec) && options.connectRatePerSec > 0,
      'must be a positive number',
    );
  if (options.churnPerSec !== null)
    need(
      'churnPerSec',
      Number.isFinite(options.churnPerSec) && options.churnPerSec > 0,
      'must be a positive number',
    );
  need('workerCount', intIn(options.workerCount, 1, workerCountMax), `must be 1..${workerCountMax}`);
  need('warmupMs', intIn(options.warmupMs, 0, durationMsMax), `must be 0..${durationMsMax}`);
  need('timeoutMs', intIn(options.timeoutMs, 1, timeoutMsMax), `must be 1..${timeoutMsMax}`);
  need(
    'protocol',
    options.protocol === 'line' || options.protocol === 'redis-inline',
    'must be line or redis-inline',
  );
  need('mix', options.mix.length > 0, 'give at least one verb');
  const pingOnly = options.mix.every((entry) => entry.verb === 'PING');
  const noPing = options.mix.every((entry) => entry.verb !== 'PING');
  need(
    'mix',
    options.protocol === 'redis-inline' ? pingOnly : noPing,
    'redis-inline sends PING only; line sends WHO, WHERE, WHY',
  );
  return problems;
}
