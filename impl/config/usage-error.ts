/**
 * Usage errors found after commander has parsed the flags (a value out of range, a pair of
 * options that contradict each other). They print every problem, one per line, naming the flag,
 * and exit 2 like commander's own usage errors.
 */
export interface FieldProblem {
  /** The flag as the user typed it, e.g. `--ttl-ms`. */
  flag: string;
  message: string;
}

export function failUsage(command: string, problems: readonly FieldProblem[]): never {
  for (const problem of problems) {
    process.stderr.write(`headcount ${command}: ${problem.flag}: ${problem.message}\n`);
  }
  process.stderr.write(`(run headcount ${command} --help for usage)\n`);
  process.exit(2);
}
