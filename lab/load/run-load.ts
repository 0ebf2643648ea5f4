/**
 * `runLoad(options)`: the load driver's programmatic entry point, used by the CLI, the bench suite
 * and the lab. It validates the options, runs one shard in this thread or `workerCount` shards in
 * worker threads, reports progress if asked, stops early on an abort signal, and returns one
 * merged `LoadResult`.
 */
import { Worker } from 'node:worker_threads';
import { mergeResults } from './aggregate.ts';
import {
  type LoadOptions,
  type LoadOptionsInput,
  type OptionProblem,
  resolveLoadOptions,
} from './options.ts';
import type { LoadResult } from './result.ts';
import { Shard } from './shard.ts';
import type { FromWorker, ToWorker } from './shard-worker.ts';

export interface LoadProgress {
  elapsedMs: number;
  openConnectionCount: number;
  completed: number;
  /** Requests per second since the previous progress report. */
  requestsPerSec: number;
  /** p99 so far; with workers, the highest of the workers' p99s (an upper bound). */
  latencyUsP99: number;
}

export interface RunHooks {
  /** Aborting stops sending, drains, and resolves with what was measured (Ctrl-C). */
  signal?: AbortSignal;
  onProgress?: (progress: LoadProgress) => void;
  /** How often `onProgress` is called. Default 1000 ms. */
  progressIntervalMs?: number;
}

export class LoadOptionsError extends Error {
  readonly code = 'HC_LOAD_OPTIONS';
  constructor(readonly problems: OptionProblem[]) {
    super(problems.map((problem) => `${problem.field}: ${problem.message}`).join('; '));
  }
}

export async function runLoad(input: LoadOptionsInput, hooks: RunHooks = {}): Promise<LoadResult> {
  const resolved = resolveLoadOptions(input);
  if (!resolved.ok) throw new LoadOptionsError(resolved.error);
  const options = resolved.value;
  return options.workerCount === 1 ? runInThread(options, hooks) : runInWorkers(options, hooks);
}

async function runInThread(options: LoadOptions, hooks: RunHooks): Promise<LoadResult> {
  const shard = new Shard({ options, shardIndex: 0, shardCount: 1 });
  const onAbort = () => shard.stop();
  hooks.signal?.addEventListener('abort', onAbort);
  if (hooks.signal?.aborted) shard.stop();
  const reporter = progressReporter(hooks, () => {
    const progress = shard.progress();
    return { ...progress, latencyUsP99: shard.stats.requestLatency.getValueAtPercentile(99) };
  });
  try {
    return await shard.run();
  } finally {
    reporter.stop();
    hooks.signal?.removeEventListener('abort', onAbort);
  }
}

async function runInWorkers(options: LoadOptions, hooks: RunHooks): Promise<LoadResult> {
  const bootstrap = new URL('./worker-bootstrap.js', import.meta.url);
  const workers = Array.from({ length: options.workerCount }, () => new Worker(bootstrap));
  const latest = workers.map(() => ({ openConnectionCount: 0, completed: 0, latencyUsP99: 0 }));
  const results = workers.map(
    (worker, shardIndex) =>
      new Promise<LoadResult>((resolve, reject) => {
        worker.on('error', reject);
        worker.on('exit', (code) =>
          reject(new Error(`load worker ${shardIndex} exited with code ${code} before its result`)),
        );
        worker.on('message', (message: FromWorker) => {
          if (message.type === 'progress')
            latest[shardIndex] = { ...message.progress, latencyUsP99: message.latencyUsP99 };
          if (message.type === 'result') resolve(message.result);
        });
      }),
  );
  await Promise.all(workers.map((worker) => waitReady(worker)));
  const stopAll = () => {
    for (const worker of workers) worker.postMessage({ type: 'stop' } satisfies ToWorker);
  };
  hooks.signal?.addEventListener('abort', stopAll);
  const progressIntervalMs = hooks.onProgress ? (hooks.progressIntervalMs ?? 1000) : null;
  workers.forEach((worker, shardIndex) => {
    const plan = { options, shardIndex, shardCount: workers.length };
    worker.postMessage({ type: 'start', plan, progressIntervalMs } satisfies ToWorker);
  });
  if (hooks.signal?.aborted) stopAll();
  const reporter = progressReporter(hooks, () => ({
    openConnectionCount: latest.reduce((total, one) => total + one.openConnectionCount, 0),
    completed: latest.reduce((total, one) => total + one.completed, 0),
    latencyUsP99: Math.max(...latest.map((one) => one.latencyUsP99)),
  }));
  try {
    return mergeResults(await Promise.all(results));
  } finally {
    reporter.stop();
    hooks.signal?.removeEventListener('abort', stopAll);
    await Promise.all(workers.map((worker) => worker.terminate()));
  }
}

function waitReady(worker: Worker): Promise<void> {
  return new Promise((resolve) => {
    const onMessage = (message: FromWorker) => {
      if (message.type !== 'ready') return;
      worker.off('message', onMessage);
      resolve();
    };
    worker.on('message', onMessage);
  });
}

type Sample = Omit<LoadProgress, 'elapsedMs' | 'requestsPerSec'>;

function progressReporter(hooks: RunHooks, sample: () => Sample): { stop(): void } {
  const onProgress = hooks.onProgress;
  if (!onProgress) return { stop() {} };
  const intervalMs = hooks.progressIntervalMs ?? 1000;
  const startMs = performance.now();
  let previous = { atMs: startMs, completed: 0 };
  const timer = setInterval(() => {
    const nowMs = performance.now();
    const now = sample();
    const requestsPerSec = ((now.completed - previous.completed) * 1000) / (nowMs - previous.atMs);
    previous = { atMs: nowMs, completed: now.completed };
    onProgress({ ...now, elapsedMs: nowMs - startMs, requestsPerSec });
  }, intervalMs);
  return { stop: () => clearInterval(timer) };
}
