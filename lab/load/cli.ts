/**
 * What `headcount load` and `headcount load merge` do once commander has parsed the flags: turn
 * flag strings into `LoadOptionsInput` (every problem reported by flag, exit 2), run, print a
 * summary or write JSON, and turn Ctrl-C into "stop and print what we have".
 * Exit codes: 0 done, 1 `--check` found bad replies, 2 bad usage.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import type { Result } from '../../impl/core/result.ts';
import { mergeResults } from './aggregate.ts';
import { parseCommandMix } from './command-mix.ts';
import type { LoadOptions, LoadOptionsInput, Target } from './options.ts';
import { resolveLoadOptions } from './options.ts';
import { formatProgress, formatResult } from './print-result.ts';
import { type LoadResult, loadResultFormat } from './result.ts';
import { runLoad } from './run-load.ts';

/** A problem with one flag; the same shape as `cli/usage-error.ts` expects (lab imports no cli code). */
export interface FieldProblem {
  flag: string;
  message: string;
}

export interface LoadFlags {
  target?: string;
  connections?: string;
  durationMs?: string;
  requests?: string;
  rate?: string;
  pipeline?: string;
  command?: string;
  connectRate?: string;
  churnPerSec?: string;
  workers?: string;
  warmupMs?: string;
  timeoutMs?: string;
  check?: boolean;
  protocol?: string;
  json?: string;
}

/** The flag each option comes from, so problems name what the user typed. */
export const flagOf: Record<keyof LoadOptions, string> = {
  targets: '--target',
  connectionCount: '--connections',
  durationMs: '--duration-ms',
  requestCountMax: '--requests',
  ratePerSec: '--rate',
  pipelineDepth: '--pipeline',
  mix: '--command',
  connectRatePerSec: '--connect-rate',
  churnPerSec: '--churn-per-sec',
  workerCount: '--workers',
  warmupMs: '--warmup-ms',
  timeoutMs: '--timeout-ms',
  check: '--check',
  protocol: '--protocol',
};

export function parseLoadFlags(flags: LoadFlags): Result<LoadOptionsInput, FieldProblem[]> {
  const problems: FieldProblem[] = [];
  const number = (flag: string, text: string | undefined): number | undefined => {
    if (text === undefined) return undefined;
    const value = Number(text);
    if (text.trim() === '' || !Number.isFinite(value))
      problems.push({ flag, message: `"${text}" is not a number` });
    return value;
  };
  const targets = parseTargets(flags.target ?? '', problems);
  let mix: LoadOptionsInput['mix'];
  if (flags.command !== undefined) {
    const parsed = parseCommandMix(flags.command);
    if (parsed.ok) mix = parsed.value;
    else problems.push({ flag: '--command', message: parsed.error });
  }
  const protocol = flags.protocol;
  if (protocol !== undefined && protocol !== 'line' && protocol !== 'redis-inline') {
    problems.push({ flag: '--protocol', message: `"${protocol}" is not line or redis-inline` });
  }
  const input: LoadOptionsInput = {
    targets,
    connectionCount: number('--connections', flags.connections),
    durationMs: number('--duration-ms', flags.durationMs),
    requestCountMax: number('--requests', flags.requests),
    ratePerSec: number('--rate', flags.rate),
    pipelineDepth: number('--pipeline', flags.pipeline),
    mix,
    connectRatePerSec: number('--connect-rate', flags.connectRate),
    churnPerSec: number('--churn-per-sec', flags.churnPerSec),
    workerCount: number('--workers', flags.workers),
    warmupMs: number('--warmup-ms', flags.warmupMs),
    timeoutMs: number('--timeout-ms', flags.timeoutMs),
    check: flags.check ?? false,
    protocol: protocol as LoadOptions['protocol'] | undefined,
  };
  if (problems.length === 0) {
    const resolved = resolveLoadOptions(input);
    if (!resolved.ok)
      for (const problem of resolved.error)
        problems.push({ flag: flagOf[problem.field], message: problem.message });
  }
  return problems.length > 0 ? { ok: false, error: problems } : { ok: true, value: input };
}

function parseTargets(text: string, problems: FieldProblem[]): Target[] {
  if (text === '') {
    problems.push({ flag: '--target', message: 'required: HOST:PORT[,HOST:PORT...]' });
    return [];
  }
  return text.split(',').map((part) => {
    const colon = part.lastIndexOf(':');
    const port = Number(part.slice(colon + 1));
    if (colon <= 0 || !Number.isInteger(port) || port < 1 || port > 65535) {
      problems.push({ flag: '--target', message: `"${part}" is not HOST:PORT` });
    }
    return { host: part.slice(0, colon), port };
  });
}

export async function runLoadCommand(input: LoadOptionsInput, jsonPath: string | undefined): Promise<number> {
  const controller = new AbortController();
  const onSigint = () => {
    if (controller.signal.aborted) process.exit(130); // a second Ctrl-C: give up on draining
    controller.abort();
  };
  process.on('SIGINT', onSigint);
  const live = process.stderr.isTTY === true && jsonPath === undefined;
  try {
    const result = await runLoad(input, {
      signal: controller.signal,
      onProgress: live ? (progress) => process.stderr.write(formatProgress(progress)) : undefined,
    });
    if (live) process.stderr.write('\n');
    writeOutput(result, jsonPath);
    return result.errors.badReply > 0 && result.options.check ? 1 : 0;
  } finally {
    process.off('SIGINT', onSigint);
  }
}

export function runMergeCommand(files: readonly string[], jsonPath: string | undefined): number {
  const parts = files.map((file) => {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as LoadResult;
    if (parsed.format !== loadResultFormat) throw new Error(`${file} is not a ${loadResultFormat} file`);
    return parsed;
  });
  writeOutput(mergeResults(parts), jsonPath);
  return 0;
}

/** The text summary goes to stdout; `--json FILE` also writes the result there, `--json -` instead of the text. */
function writeOutput(result: LoadResult, jsonPath: string | undefined): void {
  const json = `${JSON.stringify(result, null, 2)}\n`;
  if (jsonPath === '-') return void process.stdout.write(json);
  if (jsonPath !== undefined) writeFileSync(jsonPath, json);
  process.stdout.write(formatResult(result));
}
