/**
 * A worker thread that runs simulated runs for the pool (pool.ts): it receives a `RunSpec`,
 * runs it on the simulator and posts back the result (or the error's message). Loaded through
 * worker-bootstrap.js, which registers tsx first so this file can stay TypeScript.
 */
import { parentPort } from 'node:worker_threads';
import { loadEngine } from './engines.ts';
import type { RunSpec } from '../../experiment/run-spec.ts';

export type WorkerReply =
  | { ok: true; runId: string; result: import('../../experiment/result.ts').RunResult }
  | { ok: false; runId: string; message: string };

const port = parentPort;
if (port === null) throw new Error('scenarios/runner/worker.ts runs only as a worker thread');

const engine = loadEngine('sim');

port.on('message', async (spec: RunSpec) => {
  let reply: WorkerReply;
  try {
    reply = { ok: true, runId: spec.runId, result: await (await engine)(spec) };
  } catch (error) {
    reply = { ok: false, runId: spec.runId, message: (error as Error).message };
  }
  port.postMessage(reply);
});
