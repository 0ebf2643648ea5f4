/**
 * The acceptance path, as a reader meets it: `headcount report` on the fixture folders prints
 * the page's absolute path; headless Chromium opens that page from file:// at 1400 px and at 390 px
 * (a phone) and finds no console errors, no sideways scroll, no request beyond the file itself,
 * every chart canvas drawn, the decision table and every question's section; emulating print,
 * every figure keeps together and fits a page; every PNG beside it decodes and is not blank. One
 * browser launch for the file.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { createCanvas, loadImage } from '@napi-rs/canvas';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { buildReport } from '../../reports/build-report.ts';
import { questions } from '../../reports/questions.ts';

const chromiumPath = '/usr/bin/chromium';
const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, '..', '..');
const outDir = mkdtempSync(join(tmpdir(), 'headcount-report-'));

/** Pixels that are neither white nor transparent: a drawn chart has thousands, a blank one none. */
function inkedPixels(rgba: Uint8ClampedArray): number {
  let inked = 0;
  for (let i = 0; i < rgba.length; i += 4) {
    const opaque = rgba[i + 3]! > 0;
    const white = rgba[i]! > 245 && rgba[i + 1]! > 245 && rgba[i + 2]! > 245;
    if (opaque && !white) inked += 1;
  }
  return inked;
}

let browser: Browser;
let indexPath = '';
const requests: string[] = [];

interface Visit {
  consoleErrors: string[];
  scrollWidthPx: number;
  viewportWidthPx: number;
  canvases: { id: string; inked: number; width: number }[];
  sectionIds: string[];
  decisionRows: string[];
  /** Print emulation: each figure's break-inside and height (px at A4 width). */
  printFigures: { id: string; breakInside: string; heightPx: number }[];
  visibleText: string;
}

/** A4 at 96 dpi is 794 x 1123 px; with the browser's default margins a page holds ~1000 px. */
const printPageHeightPx = 1000;

async function visit(widthPx: number): Promise<Visit> {
  const page = await browser.newPage({ viewport: { width: widthPx, height: 900 } });
  const consoleErrors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(message.text());
  });
  page.on('pageerror', (error) => consoleErrors.push(String(error)));
  page.on('request', (request) => requests.push(request.url()));
  await page.goto(pathToFileURL(indexPath).href, { waitUntil: 'load' });
  const [scrollWidthPx, viewportWidthPx] = await page.evaluate(() => [
    document.documentElement.scrollWidth,
    window.innerWidth,
  ]);
  const canvases = await page.evaluate(() =>
    [...document.querySelectorAll('canvas')].map((canvas) => {
      const context = canvas.getContext('2d')!;
      const { data } = context.getImageData(0, 0, canvas.width, canvas.height);
      let inked = 0;
      for (let i = 0; i < data.length; i += 4) {
        if (data[i + 3]! > 0 && !(data[i]! > 245 && data[i + 1]! > 245 && data[i + 2]! > 245)) inked += 1;
      }
      return { id: canvas.id, inked, width: canvas.width };
    }),
  );
  const sectionIds = await page.evaluate(() => [...document.querySelectorAll('section')].map((s) => s.id));
  const decisionRows = await page.evaluate(() =>
    [...document.querySelectorAll('#decision-table tr[data-question]')].map(
      (tr) => tr.getAttribute('data-question') ?? '',
    ),
  );
  const visibleText = await page.evaluate(() => document.body.textContent ?? '');
  await page.setViewportSize({ width: 794, height: 1123 });
  await page.emulateMedia({ media: 'print' });
  const printFigures = await page.evaluate(() =>
    [...document.querySelectorAll('figure.chart')].map((figure) => ({
      id: figure.id,
      breakInside: getComputedStyle(figure).breakInside,
      heightPx: figure.getBoundingClientRect().height,
    })),
  );
  await page.close();
  return {
    consoleErrors,
    scrollWidthPx,
    viewportWidthPx,
    canvases,
    sectionIds,
    decisionRows,
    printFigures,
    visibleText,
  };
}

const visits = new Map<number, Visit>();
const widthsPx = [1400, 390];

beforeAll(async () => {
  if (!existsSync(chromiumPath)) {
    throw new Error(`${chromiumPath} is missing: install it with \`apt-get install chromium\``);
  }
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [
      'bin/headcount.js',
      'report',
      join(here, 'fixtures', 'results-sim'),
      join(here, 'fixtures', 'results-real'),
      '--out',
      outDir,
    ],
    { cwd: repo },
  );
  indexPath = stdout.trim().split('\n').at(-1)!;
  browser = await chromium.launch({
    executablePath: chromiumPath,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
  for (const widthPx of widthsPx) visits.set(widthPx, await visit(widthPx));
}, 120_000);

afterAll(async () => {
  await browser?.close();
  rmSync(outDir, { recursive: true, force: true });
});

/** Every chart the report builds from the same fixtures (the twelve plus the fault timelines). */
const chartCount = buildReport(
  [join(here, 'fixtures', 'results-sim'), join(here, 'fixtures', 'results-real')],
  '',
).charts.length;

describe('reports: headcount report writes a page that works offline in a real browser', () => {
  test('the command prints the absolute path of index.html', () => {
    expect(isAbsolute(indexPath)).toBe(true);
    expect(indexPath).toBe(join(outDir, 'index.html'));
  });

  test('the page makes no network request: the only requests are the file itself', () => {
    expect(new Set(requests)).toEqual(new Set([pathToFileURL(indexPath).href]));
  });

  describe.each(widthsPx)('at %i px wide', (widthPx) => {
    test('the page logs no console error', () => {
      expect(visits.get(widthPx)!.consoleErrors).toEqual([]);
    });

    test('the page does not scroll sideways', () => {
      const v = visits.get(widthPx)!;
      expect(v.scrollWidthPx).toBeLessThanOrEqual(v.viewportWidthPx);
    });

    test('every chart canvas has been drawn', () => {
      const { canvases } = visits.get(widthPx)!;
      expect(canvases.length).toBe(chartCount);
      for (const canvas of canvases) {
        expect(canvas.width, canvas.id).toBeGreaterThan(100);
        expect(canvas.inked, canvas.id).toBeGreaterThan(2000);
      }
    });

    test('the decision table answers every product question, and every question has its section', () => {
      const v = visits.get(widthPx)!;
      expect([...v.decisionRows].sort()).toEqual(Object.keys(questions).sort());
      for (const id of Object.keys(questions)) expect(v.sectionIds).toContain(`q-${id}`);
      expect(v.sectionIds).toEqual(
        expect.arrayContaining(['summary', 'assumptions', 'definitions', 'recommendations', 'sim-vs-real']),
      );
    });

    test('printed, every figure keeps together and fits on one page', () => {
      const { printFigures } = visits.get(widthPx)!;
      expect(printFigures.length).toBe(chartCount);
      for (const figure of printFigures) {
        expect(figure.breakInside, figure.id).toBe('avoid');
        expect(figure.heightPx, figure.id).toBeLessThan(printPageHeightPx);
      }
    });

    test('no absolute path of the machine appears in the page', () => {
      expect(visits.get(widthPx)!.visibleText).not.toMatch(/\/home\/|\/work\/|\/tmp\/|\/Users\//);
    });
  });
});

describe('reports: the PNG charts', () => {
  test('every PNG decodes and is not blank', async () => {
    const pngs = readdirSync(outDir).filter((name) => name.endsWith('.png'));
    expect(pngs.length).toBe(chartCount);
    for (const name of pngs) {
      const image = await loadImage(join(outDir, name));
      const canvas = createCanvas(image.width, image.height);
      const context = canvas.getContext('2d');
      context.drawImage(image, 0, 0);
      const { data } = context.getImageData(0, 0, image.width, image.height);
      expect(image.width, name).toBe(1200);
      expect(inkedPixels(data), name).toBeGreaterThan(5000);
    }
  });
});
