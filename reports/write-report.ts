/**
 * `writeReport(dirs, outDir)`: reads one or more results folders, writes `index.html` and one
 * PNG per chart into `outDir`, and returns their absolute paths. The scenario runner calls it at
 * the end of `npm run scenario`; `headcount report` calls it from the command line.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { buildReport } from './build-report.ts';
import { renderPng } from './render-png.ts';

export interface WrittenReport {
  indexPath: string;
  pngPaths: string[];
}

export async function writeReport(dirs: readonly string[], outDir: string): Promise<WrittenReport> {
  const { html, charts } = buildReport(dirs);
  const out = resolve(outDir);
  mkdirSync(out, { recursive: true });
  const indexPath = join(out, 'index.html');
  writeFileSync(indexPath, html);
  const pngPaths: string[] = [];
  for (const chart of charts) {
    const path = join(out, `${chart.id}.png`);
    writeFileSync(path, await renderPng(chart));
    pngPaths.push(path);
  }
  return { indexPath, pngPaths };
}
