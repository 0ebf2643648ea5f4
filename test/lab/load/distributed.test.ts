/**
 * What the load Job in ops/k8s/jobs/load does, run on this machine: K separate `headcount load`
 * processes against one server, each writing its result JSON into a folder nobody has made yet
 * (a fresh shared volume), then `headcount load merge` over the parts. Goal: the merged result
 * is the sum of its parts, counter by counter, its latency histogram holds every part's samples
 * (percentiles as if one histogram had recorded them all), and the server saw every request.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, describe, expect, test } from 'vitest';
import { decodeHistogram, summarize } from '../../../lab/load/histograms.ts';
import type { LoadResult } from '../../../lab/load/result.ts';
import { headcountBin } from '../../support/spawn-headcount.ts';
import { type LineServer, startLineServer } from './fixtures/line-server.ts';

const run = promisify(execFile);
const work = mkdtempSync(join(tmpdir(), 'headcount-load-parts-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

let server: LineServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const podCount = 3;
const requestsPerPod = 300;

describe('lab/load: a load test split over processes, as the load Job runs it', () => {
  test('K load processes merged with `load merge` add up to their sum, and the server saw every request', async () => {
    server = await startLineServer();
    const parts = Array.from({ length: podCount }, (_, index) => join(work, 'load', `part-${index}.json`));
    await Promise.all(
      parts.map((part) =>
        run(process.execPath, [
          headcountBin,
          'load',
          `--target=127.0.0.1:${server?.port}`,
          '--connections=2',
          '--pipeline=4',
          `--requests=${requestsPerPod}`,
          '--check',
          `--json=${part}`,
        ]),
      ),
    );
    const merged = join(work, 'load', 'merged.json');
    await run(process.execPath, [headcountBin, 'load', 'merge', ...parts, `--json=${merged}`]);

    const results = parts.map((part) => JSON.parse(readFileSync(part, 'utf8')) as LoadResult);
    const sum = JSON.parse(readFileSync(merged, 'utf8')) as LoadResult;
    const total = (pick: (result: LoadResult) => number) =>
      results.reduce((acc, result) => acc + pick(result), 0);

    expect(sum.partCount).toBe(podCount);
    for (const key of ['sent', 'completed', 'ok'] as const)
      expect(sum.requests[key]).toBe(total((r) => r.requests[key]));
    for (const key of Object.keys(sum.errors) as (keyof LoadResult['errors'])[])
      expect(sum.errors[key], key).toBe(total((r) => r.errors[key]));
    expect(sum.connects.attempted).toBe(total((r) => r.connects.attempted));
    expect(sum.connects.succeeded).toBe(total((r) => r.connects.succeeded));
    expect(sum.requests.ok).toBe(podCount * requestsPerPod);
    expect(server.lines).toBe(podCount * requestsPerPod);

    const everySample = decodeHistogram(results[0]!.requests.latency.histogram);
    for (const result of results.slice(1))
      everySample.add(decodeHistogram(result.requests.latency.histogram));
    expect(sum.requests.latency.summary).toEqual(summarize(everySample));
  }, 120_000);
});
