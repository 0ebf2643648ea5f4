/**
 * The rule dependency-cruiser cannot see: no module of the house is found by a path built at run
 * time. Every `import()` names a string literal (a lazy import of a literal path is fine), and no
 * module is probed for with `existsSync` before it is loaded. `npm run deps` checks the arrows.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const house = ['impl', 'experiment', 'sim', 'lab', 'scenarios', 'reports', 'cli', 'bin'];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.(ts|js)$/.test(entry.name) ? [path] : [];
  });
}

/** `import(` followed by anything but a quoted literal and `)`. */
const computedImport = /\bimport\(\s*(?!'[^'$]*'\s*\)|"[^"$]*"\s*\))/;
const moduleProbe = /existsSync\([^)]*\.(ts|js)\b/;

describe('modules are imported by name', () => {
  const files = house.flatMap((folder) => sourceFiles(join(root, folder)));

  it('the house has source files to check', () => {
    expect(files.length).toBeGreaterThan(100);
  });

  it('every import() in the house names a literal path', () => {
    const offenders = files.flatMap((file) =>
      readFileSync(file, 'utf8')
        .split('\n')
        .flatMap((line, index) =>
          computedImport.test(line) && !line.trimStart().startsWith('*')
            ? [`${relative(root, file)}:${index + 1}: ${line.trim()}`]
            : [],
        ),
    );
    expect(offenders).toEqual([]);
  });

  it('no module is probed for with existsSync before it is loaded', () => {
    const offenders = files.filter((file) => moduleProbe.test(readFileSync(file, 'utf8')));
    expect(offenders.map((file) => relative(root, file))).toEqual([]);
  });
});
