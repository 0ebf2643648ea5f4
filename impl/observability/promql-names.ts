/**
 * Finds the metric names a PromQL expression selects, so a test can check every rule and panel
 * against the names headcount exports. A full PromQL parser would be overkill: the expressions
 * we generate use selectors, functions, aggregations with `by (...)`, binary operators and
 * numbers. The scanner below drops what is not a metric name:
 *
 *   "strings"            skipped whole (label values, regexes)
 *   {label="v", ...}     skipped whole (label names are not metrics)
 *   [5m], [1h:1m]        skipped whole (ranges, subqueries, Grafana's $__rate_interval)
 *   name(                a function or aggregation, not a metric
 *   by|without|on|ignoring|group_left|group_right (...)   a label list
 *   sum by (x) (...), and, or, offset, bool, ...          aggregations and keywords
 *   5m, 0.05, 1e3        numbers and durations
 *
 * Whatever identifier is left is a metric name (or a recording rule name, which callers resolve).
 */

/** Aggregation operators may be followed by `by (...)` before their `(`, so they can look like names. */
const aggregations = [
  'sum',
  'min',
  'max',
  'avg',
  'group',
  'stddev',
  'stdvar',
  'count',
  'count_values',
  'bottomk',
  'topk',
  'quantile',
];

const keywords = new Set([
  ...aggregations,
  'and',
  'or',
  'unless',
  'offset',
  'bool',
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'inf',
  'nan',
  'atan2',
]);

const labelListKeywords = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right']);

const identifierStart = /[A-Za-z_:]/;
const identifierPart = /[A-Za-z0-9_:]/;

/** Index just past the bracketed region opened at `start` (`{` or `[` or `(`), honouring strings. */
function skipBalanced(expr: string, start: number, open: string, close: string): number {
  let depth = 0;
  let index = start;
  while (index < expr.length) {
    const char = expr[index]!;
    if (char === '"' || char === "'" || char === '`') {
      index = skipString(expr, index);
      continue;
    }
    if (char === open) depth += 1;
    if (char === close) depth -= 1;
    index += 1;
    if (depth === 0) return index;
  }
  return index;
}

function skipString(expr: string, start: number): number {
  const quote = expr[start];
  let index = start + 1;
  while (index < expr.length && expr[index] !== quote) {
    index += expr[index] === '\\' && quote !== '`' ? 2 : 1;
  }
  return index + 1;
}

function skipSpaces(expr: string, start: number): number {
  let index = start;
  while (index < expr.length && /\s/.test(expr[index]!)) index += 1;
  return index;
}

/** The distinct metric names an expression selects, in order of first appearance. */
export function metricNamesIn(expr: string): string[] {
  const found: string[] = [];
  let index = 0;
  while (index < expr.length) {
    const char = expr[index]!;
    if (char === '"' || char === "'" || char === '`') {
      index = skipString(expr, index);
    } else if (char === '{') {
      index = skipBalanced(expr, index, '{', '}');
    } else if (char === '[') {
      index = skipBalanced(expr, index, '[', ']');
    } else if (/[0-9.]/.test(char)) {
      while (index < expr.length && /[0-9A-Za-z._]/.test(expr[index]!)) index += 1;
    } else if (identifierStart.test(char)) {
      let end = index + 1;
      while (end < expr.length && identifierPart.test(expr[end]!)) end += 1;
      const word = expr.slice(index, end);
      const next = skipSpaces(expr, end);
      const lower = word.toLowerCase();
      if (labelListKeywords.has(lower) && expr[next] === '(') {
        index = skipBalanced(expr, next, '(', ')');
      } else {
        const isName = !keywords.has(lower) && expr[next] !== '(';
        if (isName && !found.includes(word)) found.push(word);
        index = end;
      }
    } else {
      index += 1;
    }
  }
  return found;
}

/**
 * Names the expressions select that are neither in `known` nor defined by a recording rule,
 * each with the first expression naming it, sorted. An empty list means every panel and alert
 * reads a series that exists.
 */
export function unknownMetricNames(
  expressions: readonly string[],
  known: ReadonlySet<string>,
): { name: string; expr: string }[] {
  const unknown = new Map<string, string>();
  for (const expr of expressions) {
    for (const name of metricNamesIn(expr)) {
      if (!known.has(name) && !unknown.has(name)) unknown.set(name, expr);
    }
  }
  return [...unknown].map(([name, expr]) => ({ name, expr })).sort((a, b) => a.name.localeCompare(b.name));
}
