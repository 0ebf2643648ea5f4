/**
 * Draws a chart spec to PNG on the server with Chart.js on @napi-rs/canvas (prebuilt binaries
 * from npm, so no system Cairo as node-canvas needs). The PNG uses the same JSON configuration
 * as the page, at a fixed size, with animation and responsiveness off.
 */
import { createCanvas } from '@napi-rs/canvas';
import { Chart, type ChartConfiguration, registerables } from 'chart.js';
import { chartPlugins, legendFilterSource } from './chart-plugins.ts';
import type { ChartSpec } from './chart-spec.ts';

/** 1200 x 600 at 1x reads on a laptop screen and in a slide without scaling artefacts. */
export const pngWidthPx = 1200;
export const pngHeightPx = 600;

let registered = false;

export async function renderPng(spec: ChartSpec): Promise<Buffer> {
  if (!registered) {
    Chart.register(...registerables);
    registered = true;
  }
  const canvas = createCanvas(pngWidthPx, pngHeightPx);
  const plugins = chartPlugins();
  const config = structuredClone(spec.config) as ChartConfiguration;
  config.options = { ...config.options, responsive: false, animation: false, devicePixelRatio: 1 };
  config.plugins = spec.plugins.map((name) => plugins[name]);
  const legend = config.options?.plugins?.legend;
  if (legend) legend.labels = { ...legend.labels, filter: new Function(`return ${legendFilterSource};`)() };
  // Chart.js accepts any 2D context; @napi-rs/canvas implements the one it uses.
  const chart = new Chart(canvas.getContext('2d') as unknown as CanvasRenderingContext2D, config);
  try {
    return await canvas.encode('png');
  } finally {
    chart.destroy();
  }
}
