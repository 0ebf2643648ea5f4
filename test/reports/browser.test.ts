/**
 * The acceptance path, as a reader meets it: `headcount report` on the fixture folders prints
 * the page's absolute path; headless Chromium opens that page from file:// and finds no console
 * errors, no request beyond the file itself, every chart canvas drawn, and every question's
 * section; every PNG beside it decodes and is not blank. One browser launch for the file.
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
import { questions } from '../../reports/answers.ts';

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
const consoleErrors: string[] = [];
const requests: string[] = [];
let canvases: { id: string; inked: number; width: number }[] = [];
let sectionIds: string[] = [];
let summaryQuestions: string[] = [];

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
  const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(message.text());
  });
  page.on('pageerror', (error) => consoleErrors.push(String(error)));
  page.on('request', (request) => requests.push(request.url()));
  await page.goto(pathToFileURL(indexPath).href, { waitUntil: 'load' });
  canvases = await page.evaluate(() =>
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
  sectionIds = await page.evaluate(() => [...document.querySelectorAll('section')].map((s) => s.id));
  summaryQuestions = await page.evaluate(() =>
    [...document.querySelectorAll('#summary li.answer')].map((li) => li.getAttribute('data-question') ?? ''),
  );
}, 60_000);

afterAll(async () => {
  await browser?.close();
  rmSync(outDir, { recursive: true, force: true });
});

describe('reports: headcount report writes a page that works offline in a real browser', () => {
  test('the command prints the absolute path of index.html', () => {
    expect(isAbsolute(indexPath)).toBe(true);
    expect(indexPath).toBe(join(outDir, 'index.html'));
  });

  test('the page logs no console error', () => {
    expect(consoleErrors).toEqual([]);
  });

  test('the page makes no network request: the only request is the file itself', () => {
    expect(requests).toEqual([pathToFileURL(indexPath).href]);
  });

  test('every chart canvas has been drawn', () => {
    expect(canvases.length).toBe(11);
    for (const canvas of canvases) {
      expect(canvas.width, canvas.id).toBeGreaterThan(100);
      expect(canvas.inked, canvas.id).toBeGreaterThan(2000);
    }
  });

  test('every product question has its section and its summary answer', () => {
    for (const id of Object.keys(questions)) {
      expect(sectionIds).toContain(`q-${id}`);
      expect(summaryQuestions).toContain(id);
    }
    expect(sectionIds).toEqual(expect.arrayContaining(['summary', 'recommendations', 'sim-vs-real']));
  });
});

describe('reports: the PNG charts', () => {
  test('every PNG decodes and is not blank', async () => {
    const pngs = readdirSync(outDir).filter((name) => name.endsWith('.png'));
    expect(pngs.length).toBe(canvases.length);
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
