/**
 * The driver against a real line server on 127.0.0.1: request counts in both loops, churn,
 * --check, and coordinated omission. Runs are short (≤ 1.2 s) and assertions on latency are
 * loose, since two cores are shared with every other test.
 */
import { afterEach, describe, expect, test } from 'vitest';
import { type LoadOptionsInput, resolveLoadOptions } from '../../../lab/load/options.ts';
import { Shard } from '../../../lab/load/shard.ts';
import { type LineServer, startLineServer } from './fixtures/line-server.ts';

let server: LineServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function run(target: LineServer, input: Omit<LoadOptionsInput, 'targets'>) {
  const resolved = resolveLoadOptions({ targets: [{ host: '127.0.0.1', port: target.port }], ...input });
  if (!resolved.ok) throw new Error(JSON.stringify(resolved.error));
  return new Shard({ options: resolved.value, shardIndex: 0, shardCount: 1 }).run();
}

async function waitFor(condition: () => boolean, limitMs = 2000): Promise<void> {
  const startMs = performance.now();
  while (!condition() && performance.now() - startMs < limitMs)
    await new Promise((resolve) => setTimeout(resolve, 10));
}

describe('lab/load: shard against a line server', () => {
  test('the closed loop with --requests sends exactly that many and stops by itself', async () => {
    server = await startLineServer();
    const result = await run(server, {
      connectionCount: 4,
      pipelineDepth: 8,
      requestCountMax: 1000,
      durationMs: 20_000,
    });
    expect(result.stoppedBy).toBe('requests');
    expect(result.requests).toMatchObject({ sent: 1000, completed: 1000, ok: 1000 });
    expect(server.lines).toBe(1000);
    expect(result.requests.latency.summary.count).toBe(1000);
  });

  test('the open loop sends rate × duration requests on its schedule, late or not', async () => {
    server = await startLineServer();
    const result = await run(server, { connectionCount: 4, ratePerSec: 2000, durationMs: 500, check: true });
    expect(result.expectedIntervalUs).toBe(2000);
    expect(result.requests.sent + result.requests.unsent).toBe(1000);
    expect(result.requests.completed).toBe(result.requests.sent);
    expect(result.requests.ok).toBe(result.requests.completed);
    expect(result.sendLag?.summary.count).toBe(result.requests.sent);
  });

  test('--check counts every wrong WHY as a bad reply; without it they pass', async () => {
    server = await startLineServer({ whyReply: '41' });
    const checked = await run(server, {
      connectionCount: 2,
      requestCountMax: 200,
      mix: [{ verb: 'WHY', weight: 1 }],
      check: true,
    });
    expect(checked.errors.badReply).toBe(200);
    expect(checked.requests.ok).toBe(0);
    const unchecked = await run(server, {
      connectionCount: 2,
      requestCountMax: 200,
      mix: [{ verb: 'WHY', weight: 1 }],
    });
    expect(unchecked.errors.badReply).toBe(0);
    expect(unchecked.requests.ok).toBe(200);
  });

  test('churn connects, asks once and disconnects churnPerSec × duration times', async () => {
    server = await startLineServer();
    const result = await run(server, { connectionCount: 0, churnPerSec: 200, durationMs: 500, check: true });
    const target = server;
    await waitFor(() => target.closed === 100);
    expect(result.churn).toEqual({ started: 100, completed: 100, skipped: 0 });
    expect(result.connects).toMatchObject({ attempted: 100, succeeded: 100, closed: 100 });
    expect(result.connects.latency.summary.count).toBe(100);
    expect(server.accepted).toBe(100);
    expect(server.closed).toBe(100);
  });

  test('--connect-rate opens held connections one by one on schedule and holds them', async () => {
    server = await startLineServer();
    // 10/s opens connection g at g × 100 ms: within a 250 ms run only the first three are due.
    const result = await run(server, { connectionCount: 6, connectRatePerSec: 10, durationMs: 250 });
    expect(result.connects.attempted).toBe(3);
    expect(server.accepted).toBe(3);
  });

  test('ERR replies are counted as errors, not as ok', async () => {
    server = await startLineServer({ whyReply: 'ERR unavailable no quorum' });
    const result = await run(server, {
      connectionCount: 1,
      requestCountMax: 50,
      mix: [{ verb: 'WHY', weight: 1 }],
    });
    expect(result.errors.errReply).toBe(50);
    expect(result.requests.ok).toBe(0);
  });

  test('a server that says BYE and closes is counted, and the connection comes back', async () => {
    server = await startLineServer({ byeAfterLines: 20 });
    const result = await run(server, { connectionCount: 1, durationMs: 400 });
    expect(result.errors.bye).toBeGreaterThanOrEqual(1);
    expect(result.connects.succeeded).toBeGreaterThanOrEqual(2);
  });

  test('a request unanswered for timeoutMs is a timeout, and the connection reconnects', async () => {
    server = await startLineServer();
    server.pause(600);
    const result = await run(server, { connectionCount: 2, durationMs: 300, timeoutMs: 100 });
    expect(result.errors.timeout).toBeGreaterThanOrEqual(2);
    expect(result.connects.attempted).toBeGreaterThan(2);
    expect(result.requests.completed).toBe(0);
  });

  test('warmup load is sent but not recorded; the measured window is durationMs', async () => {
    server = await startLineServer();
    const result = await run(server, { connectionCount: 2, warmupMs: 200, durationMs: 300 });
    expect(result.measuredMs).toBeCloseTo(300, 0);
    expect(result.requests.completed).toBeGreaterThan(0);
    expect(server.lines).toBeGreaterThan(result.requests.completed);
  });

  test('a dead target counts refused connects, not requests', async () => {
    server = await startLineServer();
    const port = server.port;
    await server.close();
    server = undefined;
    const resolved = resolveLoadOptions({
      targets: [{ host: '127.0.0.1', port }],
      connectionCount: 2,
      durationMs: 300,
    });
    if (!resolved.ok) throw new Error('options');
    const result = await new Shard({ options: resolved.value, shardIndex: 0, shardCount: 1 }).run();
    expect(result.errors.refused).toBeGreaterThanOrEqual(2);
    expect(result.requests.completed).toBe(0);
  });
});

/**
 * Coordinated omission (Gil Tene; wrk2): when the server stalls for 300 ms, a closed-loop driver
 * stops sending too, so only one request per connection sees the stall and p99 stays low. The
 * open loop keeps its schedule and measures from the intended send time, so every request due
 * during the stall (about a quarter of the run) carries it, and p99 shows it.
 */
describe('lab/load: coordinated omission', () => {
  const stallMs = 300;
  const runWithStall = async (input: Omit<LoadOptionsInput, 'targets'>) => {
    server = await startLineServer();
    const target = server;
    const stall = setTimeout(() => target.pause(stallMs), 400);
    const result = await run(target, { connectionCount: 2, durationMs: 1200, ...input });
    clearTimeout(stall);
    await server.close();
    server = undefined;
    return result.requests.latency.summary;
  };

  test('a 300 ms stall shows in open-loop p99 but hides in closed-loop p99', async () => {
    const open = await runWithStall({ ratePerSec: 500 });
    const closed = await runWithStall({});
    expect(open.latencyUsP99).toBeGreaterThanOrEqual(200_000);
    expect(closed.latencyUsMax).toBeGreaterThanOrEqual(200_000);
    expect(closed.latencyUsP99).toBeLessThan(100_000);
  });
});
