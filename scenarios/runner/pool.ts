/**
 * Runs specs and reports each outcome as it arrives. Simulated runs spread over worker threads
 * (each simulation is CPU-bound and single-threaded); `workers: 0` runs them in this thread,
 * which tests use to stay lean. Real runs always go one at a time in this thread: they share
 * the machine's ports, processes and wall clock, and parallel runs would disturb each other.
 *
 *   specs --> [next spec] --> worker 1 --\
 *                        \--> worker 2 ---> onDone(spec, outcome), in completion order
 */
import { Worker } from 'node:worker_threads';
import type { RunResult } from '../../experiment/result.ts';
import type { Engine } from './engines.ts';
import type { RunSpec } from '../../experiment/run-spec.ts';
import type { WorkerReply } from './worker.ts';

export type RunOutcome = { ok: true; result: RunResult } | { ok: false; message: string };

export interface PoolOptions {
  workers: number;
  /** The in-thread engine (real runs, or sim with workers = 0). */
  engine: Engine;
  useThreads: boolean;
  onDone: (spec: RunSpec, outcome: RunOutcome) => void;
}

const bootstrapUrl = new URL('./worker-bootstrap.js', import.meta.url);

export async function runPool(specs: readonly RunSpec[], options: PoolOptions): Promise<void> {
  if (!options.useThreads || options.workers <= 0) {
    for (const spec of specs) {
      try {
        options.onDone(spec, { ok: true, result: await options.engine(spec) });
      } catch (error) {
        options.onDone(spec, { ok: false, message: (error as Error).message });
      }
    }
    return;
  }
  let next = 0;
  const threadCount = Math.min(options.workers, specs.length);
  await Promise.all(Array.from({ length: threadCount }, () => drainWith(new Worker(bootstrapUrl))));
  // If every worker crashed, the specs nobody took still get an outcome: nothing goes missing.
  for (const spec of specs.slice(next))
    options.onDone(spec, { ok: false, message: 'not run: every worker crashed' });

  function drainWith(worker: Worker): Promise<void> {
    return new Promise((resolve) => {
      let current: RunSpec | undefined;
      const feed = () => {
        current = specs[next++];
        if (current === undefined) {
          void worker.terminate().then(() => resolve());
          return;
        }
        worker.postMessage(current);
      };
      worker.on('message', (reply: WorkerReply) => {
        const spec = current!;
        options.onDone(
          spec,
          reply.ok ? { ok: true, result: reply.result } : { ok: false, message: reply.message },
        );
        feed();
      });
      worker.on('error', (error) => {
        // A crashed worker fails its current run; the remaining specs go to the other workers.
        if (current) options.onDone(current, { ok: false, message: `worker crashed: ${error.message}` });
        current = undefined;
        resolve();
      });
      feed();
    });
  }
}
