/**
 * The body of one worker thread: runs the shard it is given and posts back its result (with
 * encoded histograms, so the parent merges exactly). Messages, parent → worker: `start`, `stop`;
 * worker → parent: `ready`, `progress` (when asked for), `result`.
 */
import { parentPort } from 'node:worker_threads';
import { Shard, type ShardPlan, type ShardProgress } from './shard.ts';
import type { LoadResult } from './result.ts';

export type ToWorker =
  | { type: 'start'; plan: ShardPlan; progressIntervalMs: number | null }
  | { type: 'stop' };
export type FromWorker =
  | { type: 'ready' }
  | { type: 'progress'; progress: ShardProgress; latencyUsP99: number }
  | { type: 'result'; result: LoadResult };

const port = parentPort;
if (!port)
  throw new Error('shard-worker.ts runs only inside a worker thread (spawned via worker-bootstrap.js)');
let shard: Shard | null = null;

port.on('message', (message: ToWorker) => {
  if (message.type === 'stop') return shard?.stop();
  shard = new Shard(message.plan);
  const running = shard;
  const progressTimer =
    message.progressIntervalMs === null
      ? null
      : setInterval(() => {
          const latencyUsP99 = running.stats.requestLatency.getValueAtPercentile(99);
          port.postMessage({
            type: 'progress',
            progress: running.progress(),
            latencyUsP99,
          } satisfies FromWorker);
        }, message.progressIntervalMs);
  void running.run().then((result) => {
    if (progressTimer) clearInterval(progressTimer);
    port.postMessage({ type: 'result', result } satisfies FromWorker);
    port.close();
  });
});
port.postMessage({ type: 'ready' } satisfies FromWorker);
