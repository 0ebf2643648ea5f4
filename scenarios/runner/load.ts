/**
 * Reads a scenario file: YAML text -> validated `ScenarioFile`, or a list of problems that each
 * name the field and the line (`scenarios/x.yaml:12:5: cluster.ttlMs: expected a duration ...`).
 * Zod reports a path; `locate` walks the YAML node tree along it and maps the node's source
 * offset to a line with yaml's LineCounter. A missing field points at its parent object.
 */
import { readFileSync } from 'node:fs';
import { basename, extname } from 'node:path';
import { isMap, isScalar, isSeq, LineCounter, type Node, parseDocument } from 'yaml';
import type { z } from 'zod';
import { parseExpression } from './expression.ts';
import { type ScenarioFile, scenarioSchema } from './schema.ts';

export type ScenarioProblemCode = 'HC_SCENARIO_READ' | 'HC_SCENARIO_YAML' | 'HC_SCENARIO_INVALID';

export interface ScenarioProblem {
  code: ScenarioProblemCode;
  file: string;
  line: number;
  column: number;
  /** Dotted path of the field, e.g. `faults.timeline[2].atMs`; empty for the whole file. */
  field: string;
  message: string;
}

export type Path = readonly (string | number)[];
export type Locate = (path: Path) => { line: number; column: number };

export interface LoadedScenario {
  file: string;
  name: string;
  /** The file as plain data before validation (sweeps and quick overrides apply to it). */
  raw: Record<string, unknown>;
  scenario: ScenarioFile;
  locate: Locate;
}

export type LoadResult = { ok: true; value: LoadedScenario } | { ok: false; error: ScenarioProblem[] };

export function formatProblem(problem: ScenarioProblem): string {
  const field = problem.field === '' ? '' : `${problem.field}: `;
  return `${problem.file}:${problem.line}:${problem.column}: ${field}${problem.message}`;
}

export function formatPath(path: Path): string {
  return path
    .map((segment, i) => (typeof segment === 'number' ? `[${segment}]` : i === 0 ? segment : `.${segment}`))
    .join('');
}

export function loadScenarioFile(file: string): LoadResult {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const message = `cannot read the file: ${(error as Error).message}`;
    return { ok: false, error: [{ code: 'HC_SCENARIO_READ', file, line: 0, column: 0, field: '', message }] };
  }
  return parseScenarioText(text, file);
}

export function parseScenarioText(text: string, file: string): LoadResult {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    return {
      ok: false,
      error: doc.errors.map((error) => {
        const position = lineCounter.linePos(error.pos[0]);
        return {
          code: 'HC_SCENARIO_YAML',
          file,
          line: position.line,
          column: position.col,
          field: '',
          message: error.message.split('\n')[0]!,
        };
      }),
    };
  }
  const locate: Locate = (path) => {
    const position = lineCounter.linePos(offsetOf(doc.contents as Node | null, path));
    return { line: position.line, column: position.col };
  };
  const raw = doc.toJS() as unknown;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    const message = 'a scenario file is a YAML mapping (question:, cluster:, ...)';
    return {
      ok: false,
      error: [{ code: 'HC_SCENARIO_INVALID', file, line: 1, column: 1, field: '', message }],
    };
  }
  const parsed = scenarioSchema.safeParse(raw);
  if (!parsed.success) return { ok: false, error: zodProblems(parsed.error, file, locate) };
  const expressionErrors = expressionProblems(parsed.data, file, locate);
  if (expressionErrors.length > 0) return { ok: false, error: expressionErrors };
  const name = parsed.data.name ?? basename(file, extname(file));
  return {
    ok: true,
    value: { file, name, raw: raw as Record<string, unknown>, scenario: parsed.data, locate },
  };
}

/** Converts zod issues to problems; `at` relocates them (a sweep value is blamed on its sweep key). */
export function zodProblems(error: z.ZodError, file: string, locate: Locate, at?: Path): ScenarioProblem[] {
  const problems: ScenarioProblem[] = [];
  for (const issue of error.issues) {
    const path = issue.path.filter((s): s is string | number => typeof s !== 'symbol');
    const fields = issue.code === 'unrecognized_keys' ? issue.keys.map((key) => [...path, key]) : [path];
    for (const field of fields) {
      const message =
        issue.code === 'unrecognized_keys'
          ? 'unknown field (misspelt? see scenarios/README.md)'
          : issue.message;
      const position = locate(at ?? field);
      problems.push({ code: 'HC_SCENARIO_INVALID', file, ...position, field: formatPath(field), message });
    }
  }
  return problems;
}

/** The source offset of the node at `path`: a map key's own position, or the nearest existing ancestor. */
function offsetOf(root: Node | null, path: Path): number {
  let node: Node | null = root;
  let offset = root?.range?.[0] ?? 0;
  for (const segment of path) {
    if (isMap(node)) {
      const pair = node.items.find(
        (item) => isScalar(item.key) && String(item.key.value) === String(segment),
      );
      if (!pair) return offset;
      offset = (pair.key as Node).range?.[0] ?? offset;
      node = pair.value as Node | null;
    } else if (isSeq(node) && typeof segment === 'number') {
      const item = node.items[segment] as Node | undefined;
      if (!item) return offset;
      offset = item.range?.[0] ?? offset;
      node = item;
    } else {
      return offset;
    }
  }
  return offset;
}

/** Expectation expressions are parsed at load time, so a typo is reported with its line before any run. */
function expressionProblems(scenario: ScenarioFile, file: string, locate: Locate): ScenarioProblem[] {
  const problems: ScenarioProblem[] = [];
  const lists = [['expect', scenario.expect] as const, ['quick', 'expect', scenario.quick?.expect] as const];
  for (const entry of lists) {
    const prefix = entry.slice(0, -1) as string[];
    const expectations = entry[entry.length - 1] as ScenarioFile['expect'];
    for (const [index, expectation] of (expectations ?? []).entries()) {
      for (const key of ['metric', 'max', 'min'] as const) {
        const text = expectation[key];
        if (typeof text !== 'string') continue;
        try {
          parseExpression(text);
        } catch (error) {
          const path = [...prefix, index, key];
          problems.push({
            code: 'HC_SCENARIO_INVALID',
            file,
            ...locate(path),
            field: formatPath(path),
            message: (error as Error).message,
          });
        }
      }
    }
  }
  return problems;
}
