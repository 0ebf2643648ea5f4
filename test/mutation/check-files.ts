/**
 * After `stryker run`: fails when a file of impl/core scores under the per-file target, which
 * Stryker's own `thresholds.break` (overall only) cannot say. Reads the JSON report Stryker wrote
 * to out/mutation/mutation.json. Score = killed and timed-out mutants over every mutant that ran
 * or had no coverage; ignored mutants (see EQUIVALENT.md) do not count, as in Stryker's table.
 */
import { readFileSync } from 'node:fs';

/** EQUIVALENT.md's target: no file under 80% even when the overall score is above 90%. */
const fileScorePercentMin = 80;
const reportPath = 'out/mutation/mutation.json';

interface Report {
  files: Record<string, { mutants: { status: string }[] }>;
}

const report = JSON.parse(readFileSync(reportPath, 'utf8')) as Report;
const low: string[] = [];
for (const [file, { mutants }] of Object.entries(report.files)) {
  const detected = mutants.filter(
    (mutant) => mutant.status === 'Killed' || mutant.status === 'Timeout',
  ).length;
  const counted =
    detected +
    mutants.filter((mutant) => mutant.status === 'Survived' || mutant.status === 'NoCoverage').length;
  const scorePercent = counted === 0 ? 100 : (100 * detected) / counted;
  if (scorePercent < fileScorePercentMin) low.push(`${file}: ${scorePercent.toFixed(2)}%`);
}
if (low.length > 0) {
  console.error(`files under ${fileScorePercentMin}% mutation score:\n  ${low.join('\n  ')}`);
  process.exitCode = 1;
} else {
  console.log(
    `every file scores at least ${fileScorePercentMin}% (${Object.keys(report.files).length} files)`,
  );
}
