/**
 * Reads results folders from disk: `results.json` (an `Aggregate`) plus `runs/<runId with /
 * replaced by __>.json` (a `RunResult` each). This is the only file of `reports/` that reads
 * results; it checks the schema tags so a folder from another tool fails with a clear message.
 */
import { readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { type Aggregate, aggregateSchema, type RunResult, runResultSchema } from '../experiment/result.ts';
import { mergeSources, type ReportData, type ResultsSource } from './report-data.ts';

export class ResultsFormatError extends Error {
  readonly code = 'HC_RESULTS_FORMAT';
}

function readJson(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ResultsFormatError(`cannot read ${path}: ${(error as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ResultsFormatError(`${path} is not JSON: ${(error as Error).message}`);
  }
}

export function runFileName(runId: string): string {
  return `${runId.replaceAll('/', '__')}.json`;
}

export function readResultsDir(dir: string): ResultsSource {
  const aggregatePath = join(dir, 'results.json');
  const aggregate = readJson(aggregatePath) as Aggregate;
  if (aggregate?.schema !== aggregateSchema) {
    throw new ResultsFormatError(
      `${aggregatePath}: schema is ${JSON.stringify(aggregate?.schema)}, expected "${aggregateSchema}" (see experiment/result.ts)`,
    );
  }
  const runs: RunResult[] = [];
  for (const outcome of aggregate.scenarios) {
    for (const runId of outcome.runIds) {
      const path = join(dir, 'runs', runFileName(runId));
      const run = readJson(path) as RunResult;
      if (run?.schema !== runResultSchema) {
        throw new ResultsFormatError(
          `${path}: schema is ${JSON.stringify(run?.schema)}, expected "${runResultSchema}"`,
        );
      }
      runs.push(run);
    }
  }
  return { label: basename(resolve(dir)), aggregate, runs };
}

export function readResults(dirs: readonly string[]): ReportData {
  return mergeSources(dirs.map(readResultsDir));
}
